package dev.hellonet.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.util.concurrent.TimeUnit;

/**
 * A web site on loopback for crawls that must still be running when a test reads or cancels them: {@code /} links to
 * {@code /slow/1..3}, each of which answers after 30 s.
 */
public final class SlowSite implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;

  public SlowSite() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/robots.txt")) {
        req.response().setStatusCode(404).end();
      } else if (req.path().startsWith("/slow")) {
        long timer = vertx.setTimer(30_000, id -> req.response().end("late"));
        req.connection().closeHandler(v -> vertx.cancelTimer(timer));
      } else {
        req.response().putHeader("Content-Type", "text/html").end("<html><body><ul>"
            + "<li><a href=\"/slow/1\">1</a></li><li><a href=\"/slow/2\">2</a></li><li><a href=\"/slow/3\">3</a></li>"
            + "</ul></body></html>");
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
