package dev.hellonet.api;

import dev.hellonet.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;


/**
 * A tiny web site on loopback for crawls started over REST: {@code /} lists three items linking to detail pages, and
 * {@code /slow} answers after 20 s (long enough to cancel a job while it waits).
 */
final class LocalSite implements AutoCloseable {
  static final int ITEMS = 3;
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;

  LocalSite() throws Exception {
    server = Await.result(vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/" -> {
          StringBuilder html = new StringBuilder("<html><head><title>items</title></head><body><ul>");
          for (int i = 1; i <= ITEMS; i++) {
            html.append("<li class=\"item\"><a href=\"/item/").append(i).append("\">Item ").append(i)
                .append("</a></li>");
          }
          req.response().putHeader("Content-Type", "text/html").end(html.append("</ul></body></html>").toString());
        }
        case "/robots.txt" -> req.response().setStatusCode(404).end();
        case "/slow" -> vertx.setTimer(20_000, id -> req.response().end("late"));
        default -> req.response().putHeader("Content-Type", "text/html")
            .end("<html><head><title>" + req.path() + "</title></head><body>detail</body></html>");
      }
    }).listen(0, "127.0.0.1"), 10);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  @Override
  public void close() throws Exception {
    Await.result(vertx.close(), 10);
  }
}
