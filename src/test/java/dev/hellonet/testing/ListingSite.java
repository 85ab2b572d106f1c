package dev.hellonet.testing;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * A small shop on loopback for crawl tests outside the crawler's package: {@link #PAGES} listing pages of
 * {@link #ITEMS_PER_PAGE} items each ({@code #listing .item}, with {@code h3 a} the name and link and {@code .price}),
 * every page linking to the next. The last page can be held back until {@link #releaseLastPage()}, so a test can
 * watch a job that has some items and is still running.
 */
public final class ListingSite implements AutoCloseable {
  public static final int PAGES = 3;
  public static final int ITEMS_PER_PAGE = 4;
  /** The CSS selector of one item on a listing page. */
  public static final String ITEM_SELECTOR = "#listing .item";

  private final HttpServer server;
  private final Promise<Void> lastPage = Promise.promise();

  private ListingSite(Vertx vertx, boolean holdLastPage) throws Exception {
    if (!holdLastPage) {
      lastPage.complete();
    }
    this.server = Await.result(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"), 10);
  }

  public static ListingSite start(Vertx vertx) throws Exception {
    return new ListingSite(vertx, false);
  }

  /** A site whose last listing page answers only after {@link #releaseLastPage()}. */
  public static ListingSite holdingLastPage(Vertx vertx) throws Exception {
    return new ListingSite(vertx, true);
  }

  public void releaseLastPage() {
    lastPage.tryComplete();
  }

  /** The first listing page; a crawl of it with {@code maxDepth >= PAGES - 1} reaches them all. */
  public String firstPage() {
    return "http://127.0.0.1:" + server.actualPort() + "/shop/page/1";
  }

  /** Every item's name, in page order: "Widget 1" to "Widget 12". */
  public static List<String> itemNames() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= PAGES * ITEMS_PER_PAGE; i++) {
      names.add(name(i));
    }
    return names;
  }

  public static String name(int item) {
    return "Widget " + item;
  }

  public static String price(int item) {
    return (item * 3) + ".50";
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/shop/page/")) {
      int page;
      try {
        page = Integer.parseInt(path.substring("/shop/page/".length()));
      } catch (NumberFormatException e) {
        page = 0;
      }
      if (page < 1 || page > PAGES) {
        req.response().setStatusCode(404).end("no such page");
        return;
      }
      String body = listing(page);
      String title = "Shop page " + page;
      if (page == PAGES) {
        lastPage.future().onComplete(v -> html(req, title, body));
      } else {
        html(req, title, body);
      }
    } else if (path.startsWith("/shop/item/")) {
      html(req, "Widget " + path.replaceAll("[^0-9]", ""), "<p>details</p>");
    } else {
      req.response().setStatusCode(404).end("no such page");
    }
  }

  private static String listing(int page) {
    StringBuilder b = new StringBuilder("<div id=\"listing\">");
    for (int i = (page - 1) * ITEMS_PER_PAGE + 1; i <= page * ITEMS_PER_PAGE; i++) {
      b.append("<div class=\"item\"><h3><a href=\"/shop/item/").append(i).append("\">").append(name(i))
          .append("</a></h3><span class=\"price\">").append(price(i)).append("</span></div>");
    }
    b.append("</div>");
    if (page < PAGES) {
      b.append("<a class=\"next\" href=\"/shop/page/").append(page + 1).append("\">next</a>");
    }
    return b.toString();
  }

  private static void html(HttpServerRequest req, String title, String body) {
    if (!req.response().closed() && !req.response().ended()) {
      req.response().putHeader("Content-Type", "text/html; charset=utf-8")
          .end("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body>" + body
              + "</body></html>");
    }
  }

  @Override
  public void close() throws Exception {
    releaseLastPage();
    Await.result(server.close(), 10);
  }
}
