package dev.hellonet.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A blocking JSON client for the HTTP API of a node in another process, on loopback. */
public final class Http {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int port;

  public Http(int port) {
    this.port = port;
  }

  /** The response: status and JSON body (an empty object when the body is not JSON). */
  public record Reply(int status, JsonObject body) {}

  public Reply get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public Reply post(String path, JsonObject body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  public Reply delete(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(15)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonObject body;
    try {
      body = new JsonObject(response.body());
    } catch (RuntimeException notJson) {
      body = new JsonObject();
    }
    return new Reply(response.statusCode(), body);
  }
}
