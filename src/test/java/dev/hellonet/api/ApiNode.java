package dev.hellonet.api;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A real in-process node with its HTTP API on a random loopback port, and a WebClient (on its own Vert.x) to call it;
 * every answer a call through it gets is checked against the OpenAPI contract, refusals included.
 */
final class ApiNode implements AutoCloseable {
  final Hellonet node;
  final Vertx clientVertx;
  final WebClient client;
  final ContractCheck contract;

  private ApiNode(Hellonet node, Vertx clientVertx, ContractCheck contract) {
    this.node = node;
    this.clientVertx = clientVertx;
    this.contract = contract;
    this.client = WebClient.create(clientVertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort()).setKeepAlive(false));
  }

  static ApiNode start(Path dir, Consumer<TestConfig> tweak) throws Exception {
    // API tests crawl sites on loopback, which the crawler only reaches when told to.
    TestConfig config = TestConfig.inDir(dir).crawlsLoopback()
        .set("http.host", "127.0.0.1")
        .set("http.port", 0)
        .set("crawler.downloadDir", dir.resolve("downloads").toString());
    tweak.accept(config);
    Hellonet node = Await.result(Hellonet.start(config.build()));
    Vertx clientVertx = Vertx.vertx();
    try {
      return new ApiNode(node, clientVertx, ContractCheck.load(clientVertx));
    } catch (Exception | Error e) {
      Await.result(clientVertx.close());
      Await.result(node.stop());
      throw e;
    }
  }

  HttpResponse<Buffer> send(HttpMethod method, String uri, String contentType, Buffer body) throws Exception {
    return send(method, uri, contentType, body, Map.of());
  }

  /** Sends, then checks the answer against the contract before handing it back. */
  HttpResponse<Buffer> send(HttpMethod method, String uri, String contentType, Buffer body,
      Map<String, String> headers) throws Exception {
    var request = client.request(method, uri);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    headers.forEach(request::putHeader);
    HttpResponse<Buffer> r = Await.result(body == null ? request.send() : request.sendBuffer(body));
    Map<String, String> received = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    r.headers().forEach(h -> received.put(h.getKey(), h.getValue()));
    contract.check(method, uri, r.statusCode(), received, r.body());
    return r;
  }

  HttpResponse<Buffer> get(String uri) throws Exception {
    return send(HttpMethod.GET, uri, null, null);
  }

  HttpResponse<Buffer> postJson(String uri, String json) throws Exception {
    return send(HttpMethod.POST, uri, "application/json", Buffer.buffer(json));
  }

  JsonObject getJson(String uri) throws Exception {
    HttpResponse<Buffer> r = get(uri);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + uri + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  @Override
  public void close() throws Exception {
    try {
      Await.result(node.stop());
    } finally {
      client.close();
      Await.result(clientVertx.close());
    }
  }
}
