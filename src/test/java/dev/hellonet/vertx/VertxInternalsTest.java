package dev.hellonet.vertx;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every adapter over a Vert.x internal, exercised against the Vert.x on the class path, and pinned to the version
 * they were checked against: after an upgrade the first test fails by design, and the others show what broke.
 */
@ExtendWith(VertxExtension.class)
class VertxInternalsTest {

  @Test
  void adaptersWereCheckedAgainstTheVertxOnTheClassPath() throws IOException {
    for (String artifact : List.of("vertx-core", "vertx-web-client", "vertx-openapi")) {
      String found = versionOf(artifact);
      assertEquals(VertxInternals.CHECKED_AGAINST, found, artifact + " is " + found + " on the class path, but "
          + "dev.hellonet.vertx.VertxInternals was checked against " + VertxInternals.CHECKED_AGAINST + ": once the "
          + "other tests of this class and the whole suite pass on " + found + ", set CHECKED_AGAINST to it");
    }
  }

  @Test
  void rawSocketReadsAndWritesNettyBuffersInVertxsPipeline(Vertx vertx, VertxTestContext test) {
    vertx.createNetServer().connectHandler(so -> {
          RawSocket raw = VertxInternals.raw(so);
          test.verify(() -> {
            assertSame(so, raw.socket());
            // HelloConnection and ConnectionGuard add their handlers relative to this name.
            assertEquals("handler", raw.context().name());
          });
          raw.onMessage(msg -> {
            test.verify(() -> assertInstanceOf(ByteBuf.class, msg, "inbound messages are Netty buffers"));
            raw.write(msg); // echo; the pipeline releases it
          });
        })
        .listen(0, "127.0.0.1")
        .compose(server -> vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"))
        .onComplete(test.succeeding(client -> {
          Buffer echoed = Buffer.buffer();
          client.handler(data -> {
            echoed.appendBuffer(data);
            if (echoed.toString(StandardCharsets.US_ASCII).equals("ping\n")) {
              test.completeNow();
            }
          });
          client.write("ping\n");
        }));
  }

  @Test
  void epollSetupRunsAfterTheTransportSetItsOwnChildOptions() {
    NetServerOptions options = new NetServerOptions();
    ServerBootstrap bootstrap = new ServerBootstrap();
    AtomicReference<Map<ChannelOption<?>, Object>> seen = new AtomicReference<>();

    VertxInternals.epollWith((o, domainSocket, b) -> {
      assertSame(options, o);
      assertSame(bootstrap, b);
      seen.set(b.config().childOptions());
    }).configure(options, false, bootstrap);

    // DeferAcceptTransport removes these again when they ask for nothing; that only works if they are set first.
    Map<ChannelOption<?>, Object> child = seen.get();
    assertNotNull(child, "the setup ran");
    for (ChannelOption<?> option : List.of(EpollChannelOption.TCP_USER_TIMEOUT, EpollChannelOption.TCP_QUICKACK,
        EpollChannelOption.TCP_CORK, ChannelOption.SO_KEEPALIVE)) {
      assertTrue(child.containsKey(option), option + " set by the transport before the setup: " + child.keySet());
    }
  }

  @Test
  void beforeSendSeesEachRequestAndTheHttpRequestItBecame(Vertx vertx, VertxTestContext test) {
    WebClient client = WebClient.create(vertx);
    AtomicReference<HttpRequest<?>> seenRequest = new AtomicReference<>();
    AtomicReference<HttpClientRequest> seenClientRequest = new AtomicReference<>();
    VertxInternals.beforeSend(client, (request, clientRequest) -> {
      seenRequest.set(request);
      seenClientRequest.set(clientRequest);
      return null;
    });
    vertx.createHttpServer().requestHandler(req -> req.response().end("ok"))
        .listen(0, "127.0.0.1")
        .compose(server -> {
          HttpRequest<Buffer> request = client.get(server.actualPort(), "127.0.0.1", "/probe?x=1");
          return request.send().map(response -> {
            assertSame(request, seenRequest.get(), "the interceptor saw the request that was sent");
            return response;
          });
        })
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals("ok", response.bodyAsString());
          assertEquals("/probe?x=1", seenClientRequest.get().getURI());
          test.completeNow();
        })));
  }

  @Test
  void beforeSendCanFailTheExchangeInsteadOfSending(Vertx vertx, VertxTestContext test) {
    WebClient client = WebClient.create(vertx);
    IllegalStateException aborted = new IllegalStateException("aborted while waiting for a connection");
    VertxInternals.beforeSend(client, (request, clientRequest) -> {
      clientRequest.exceptionHandler(e -> { }); // the hook owns the dropped request, as the crawler's does
      return aborted;
    });
    AtomicInteger served = new AtomicInteger();
    vertx.createHttpServer().requestHandler(req -> {
          served.incrementAndGet();
          req.response().end("ok");
        })
        .listen(0, "127.0.0.1")
        .compose(server -> client.get(server.actualPort(), "127.0.0.1", "/").send())
        .onComplete(test.failing(e -> test.verify(() -> {
          assertSame(aborted, e);
          assertEquals(0, served.get(), "nothing reached the server");
          test.completeNow();
        })));
  }

  @Test
  void withContentTypeKeepsEverythingButTheContentType() {
    RequestParameter cookie = parameter();
    RequestParameter header = parameter();
    RequestParameter path = parameter();
    RequestParameter query = parameter();
    RequestParameter body = parameter();
    ValidatableRequest original = new ValidatableRequest() {
      public Map<String, RequestParameter> getCookies() { return Map.of("c", cookie); }
      public Map<String, RequestParameter> getHeaders() { return Map.of("h", header); }
      public Map<String, RequestParameter> getPathParameters() { return Map.of("p", path); }
      public Map<String, RequestParameter> getQuery() { return Map.of("q", query); }
      public RequestParameter getBody() { return body; }
      public String getContentType() { return "Application/JSON"; }
    };

    ValidatableRequest adapted = VertxInternals.withContentType(original, "application/json");

    assertEquals("application/json", adapted.getContentType());
    assertSame(cookie, adapted.getCookies().get("c"));
    assertSame(header, adapted.getHeaders().get("h"));
    assertSame(path, adapted.getPathParameters().get("p"));
    assertSame(query, adapted.getQuery().get("q"));
    assertSame(body, adapted.getBody());
  }

  /** A parameter with identity only: the adapter must pass it on, not read it. */
  private static RequestParameter parameter() {
    return (RequestParameter) Proxy.newProxyInstance(RequestParameter.class.getClassLoader(),
        new Class<?>[] {RequestParameter.class}, (proxy, method, args) -> switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          case "toString" -> "parameter@" + System.identityHashCode(proxy);
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private static String versionOf(String artifact) throws IOException {
    String resource = "/META-INF/maven/io.vertx/" + artifact + "/pom.properties";
    try (InputStream in = VertxInternals.class.getResourceAsStream(resource)) {
      assertNotNull(in, resource + " on the class path");
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }

  @Test
  void clusterManagerIsAbsentOnAStandaloneVertx(Vertx vertx) {
    // The clustered case (a node id, the live members) is exercised by the cluster tests on real Infinispan members.
    org.junit.jupiter.api.Assertions.assertNull(VertxInternals.clusterManager(vertx));
  }
}
