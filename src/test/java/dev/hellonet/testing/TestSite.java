package dev.hellonet.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one web site the tests serve themselves on loopback, for every test that crawls. Its paths:
 * <ul>
 *   <li>{@code /} lists {@link #HOME_ITEMS} items ({@code li.item}, links to {@code /item/N}); {@code /page} is a plain
 *   page; {@code /slow} answers after 20 s (long enough to cancel a job while it waits);</li>
 *   <li>the shop: {@link #PAGES} listing pages from {@link #firstPage()} of {@link #ITEMS_PER_PAGE} items each
 *   ({@link #ITEM_SELECTOR}, {@code h3 a} the name and link, {@code .price}), each linking to the next; the last can
 *   be held back until {@link #releaseLastPage()};</li>
 *   <li>for the crawler's own tests: per-page delays, failures, redirects, a movie listing with detail pages and
 *   posters, robots.txt (rules, a status or a text of choice), bulk and deep pages, and an endless body.</li>
 * </ul>
 * It counts requests in flight (overall and per Host header) and remembers the highest counts seen, so a test can
 * assert the overlap the site saw rather than a wall-clock time. Configure it with {@link #builder(Vertx)}, or use
 * the shorthands.
 */
public final class TestSite implements AutoCloseable {
  public static final int POSTERS = 3;
  public static final long ENDLESS_LIMIT = 256L * 1024 * 1024;
  /** How many items {@code /} lists. */
  public static final int HOME_ITEMS = 3;
  /** How many listing pages the shop has. */
  public static final int PAGES = 3;
  public static final int ITEMS_PER_PAGE = 4;
  /** The CSS selector of one item on a shop listing page. */
  public static final String ITEM_SELECTOR = "#listing .item";

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final HttpServer server;
  public final AtomicInteger inFlight = new AtomicInteger();
  public final AtomicInteger maxInFlight = new AtomicInteger();
  public final Map<String, AtomicInteger> inFlightByHost = new ConcurrentHashMap<>();
  public final Map<String, AtomicInteger> maxByHost = new ConcurrentHashMap<>();
  public final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  public final AtomicLong endlessBytesWritten = new AtomicLong();
  public final AtomicInteger resetByClient = new AtomicInteger();

  private final int robotsStatus;
  private final String robotsText;
  private final String host;
  private final Promise<Void> lastPage = Promise.promise();
  /** Waiters for an in-flight count, each completed (and dropped) the first time the count equals its number. */
  private final List<Map.Entry<Integer, Promise<Void>>> inFlightWaiters = new ArrayList<>();

  private TestSite(Builder b, Vertx vertx, boolean ownsVertx) throws Exception {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.robotsStatus = b.robotsStatus;
    this.robotsText = b.robotsText;
    this.host = b.host;
    if (!b.holdLastPage) {
      lastPage.complete();
    }
    this.server = Await.result(vertx.createHttpServer().requestHandler(this::handle).listen(0, host), 10);
  }

  /** How the site answers; {@link #start()} serves it. */
  public static final class Builder {
    private final Vertx vertx;
    private String host = "127.0.0.1";
    private int robotsStatus = 200;
    private String robotsText = "User-agent: *\nDisallow: /private/\n";
    private boolean holdLastPage;

    private Builder(Vertx vertx) {
      this.vertx = vertx;
    }

    /** Another loopback address (Linux answers on all of 127.0.0.0/8). */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** robots.txt answers this status instead of its rules. */
    public Builder robotsStatus(int status) {
      this.robotsStatus = status;
      return this;
    }

    /** robots.txt holds this text. */
    public Builder robots(String text) {
      this.robotsText = text;
      return this;
    }

    /** The shop's last listing page answers only after {@link TestSite#releaseLastPage()}. */
    public Builder holdLastPage() {
      this.holdLastPage = true;
      return this;
    }

    public TestSite start() throws Exception {
      if (vertx != null) {
        return new TestSite(this, vertx, false);
      }
      Vertx own = Vertx.vertx();
      try {
        return new TestSite(this, own, true);
      } catch (Exception e) {
        own.close();
        throw e;
      }
    }
  }

  /** A site on {@code vertx}; {@code null} gives it a Vert.x of its own, closed with the site. */
  public static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  public static TestSite start(Vertx vertx) throws Exception {
    return builder(vertx).start();
  }

  /** A site with a Vert.x of its own, for tests whose own Vert.x belongs to the node under test. */
  public static TestSite standalone() throws Exception {
    return builder(null).start();
  }

  /** The site on another loopback address (Linux answers on all of 127.0.0.0/8). */
  public static TestSite on(Vertx vertx, String host) throws Exception {
    return builder(vertx).host(host).start();
  }

  /** A site whose robots.txt answers {@code robotsStatus} instead of its rules. */
  public static TestSite withRobotsStatus(Vertx vertx, int robotsStatus) throws Exception {
    return builder(vertx).robotsStatus(robotsStatus).start();
  }

  /** A site whose robots.txt holds {@code text}. */
  public static TestSite withRobots(Vertx vertx, String text) throws Exception {
    return builder(vertx).robots(text).start();
  }

  /** A site whose shop's last listing page answers only after {@link #releaseLastPage()}. */
  public static TestSite holdingLastPage(Vertx vertx) throws Exception {
    return builder(vertx).holdLastPage().start();
  }

  public void releaseLastPage() {
    lastPage.tryComplete();
  }

  /** The shop's first listing page; a crawl of it with {@code maxDepth >= PAGES - 1} reaches them all. */
  public String firstPage() {
    return url("/shop/page/1");
  }

  /** Every shop item's name, in page order: "Widget 1" to "Widget 12". */
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

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "http://" + host + ":" + port() + path;
  }

  /** The same server under another host name, which the crawler treats as another host. */
  public String otherHostUrl(String path) {
    return "http://localhost:" + port() + path;
  }

  public int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  public static byte[] poster(int n) {
    byte[] bytes = new byte[20_000 + 7_919 * n];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    HttpServerResponse res = req.response();
    if (path.equals("/robots.txt") && robotsStatus != 200) {
      res.setStatusCode(robotsStatus).end();
      return;
    }
    if (path.equals("/robots.txt")) {
      res.putHeader("Content-Type", "text/plain").end(robotsText);
      return;
    }
    String host = req.authority() == null ? "?" : req.authority().host();
    track(host, 1);
    AtomicBoolean done = new AtomicBoolean();
    Runnable finish = () -> {
      if (done.compareAndSet(false, true)) {
        track(host, -1);
      }
    };
    res.endHandler(v -> finish.run());
    res.closeHandler(v -> {
      if (!res.ended()) {
        resetByClient.incrementAndGet();
      }
      finish.run();
    });
    res.exceptionHandler(e -> { });
    if (path.equals("/")) {
      StringBuilder b = new StringBuilder("<title>items</title></head><body><ul>");
      for (int i = 1; i <= HOME_ITEMS; i++) {
        b.append("<li class=\"item\"><a href=\"/item/").append(i).append("\">Item ").append(i).append("</a></li>");
      }
      html(res, b.append("</ul><head>").toString());
    } else if (path.startsWith("/item/") || path.equals("/page")) {
      html(res, "<title>" + path + "</title></head><body>detail<head>");
    } else if (path.equals("/slow")) {
      vertx.setTimer(20_000, t -> html(res, "<title>late</title>"));
    } else if (path.startsWith("/shop/")) {
      shop(path, res);
    } else if (path.startsWith("/slow/")) {
      long ms = Long.parseLong(path.substring("/slow/".length()));
      vertx.setTimer(Math.max(1, ms), t -> html(res, "<title>slow " + ms + "</title><p>waited " + ms + " ms</p>"));
    } else if (path.startsWith("/sleep/")) {
      long ms = Long.parseLong(path.substring("/sleep/".length()));
      vertx.setTimer(Math.max(1, ms), t -> {
        if (!res.closed()) {
          html(res, "<title>late</title>");
        }
      });
    } else if (path.startsWith("/flaky/")) {
      // fails the first N requests of each distinct path, then answers
      int failFirst = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
      if (hits(path) <= failFirst) {
        res.setStatusCode(503).end("try later");
      } else {
        html(res, "<title>recovered</title>");
      }
    } else if (path.equals("/always503")) {
      res.setStatusCode(503).end("down");
    } else if (path.startsWith("/bulk/")) {
      // /bulk/KiB/x: about KiB kibibytes of HTML, one small item (a div with a link to a file) per 48 bytes
      int kib = Integer.parseInt(path.split("/")[2]);
      res.putHeader("Content-Type", "text/html").end(bulk(kib));
    } else if (path.startsWith("/many/")) {
      // /many/N[/x]: N items, each linking to a small file of its own
      int n = Integer.parseInt(path.split("/")[2]);
      StringBuilder b = new StringBuilder("<title>many</title></head><body>");
      for (int i = 0; i < n; i++) {
        b.append("<div class=item><a href=\"/file/").append(path.replace('/', '_')).append('-').append(i)
            .append("\">").append(i).append("</a></div>");
      }
      html(res, b.append("<head>").toString());
    } else if (path.startsWith("/slowbody/")) {
      // /slowbody/N/x: N bytes of HTML, the first half at once and the rest 300 ms later
      int n = Integer.parseInt(path.split("/")[2]);
      String body = "<!doctype html><title>slow body</title><p>" + "x".repeat(Math.max(0, n - 40));
      res.setChunked(true).putHeader("Content-Type", "text/html");
      res.write(body.substring(0, body.length() / 2));
      vertx.setTimer(300, t -> {
        if (!res.closed()) {
          res.end(body.substring(body.length() / 2));
        }
      });
    } else if (path.equals("/files")) {
      html(res, "<title>files</title></head><body><div class=item><a href=\"/file/a.part\">1</a></div>"
          + "<div class=item><a href=\"/file/a\">2</a></div><head>");
    } else if (path.startsWith("/file/")) {
      res.putHeader("Content-Type", "application/octet-stream").end("content of " + path);
    } else if (path.equals("/to")) {
      res.setStatusCode(302).putHeader("Location", req.getParam("u")).end();
    } else if (path.equals("/loop/a")) {
      res.setStatusCode(302).putHeader("Location", "/loop/b").end();
    } else if (path.equals("/loop/b")) {
      res.setStatusCode(302).putHeader("Location", "a").end();
    } else if (path.startsWith("/hop/")) {
      int n = Integer.parseInt(path.substring("/hop/".length()));
      res.setStatusCode(301).putHeader("Location", n == 0 ? "/slow/1" : "/hop/" + (n - 1)).end();
    } else if (path.equals("/endless")) {
      endless(res);
    } else if (path.equals("/later/beijing")) {
      StringBuilder b = new StringBuilder("<title>Coming soon</title><div id=\"showing-soon\">");
      for (int i = 1; i <= POSTERS; i++) {
        b.append("<div class=\"item\"><a href=\"/subject/").append(i).append("/\"><img src=\"/thumb/").append(i)
            .append(".jpg\"></a><h3><a href=\"/subject/").append(i).append("/\">Movie ").append(i)
            .append(" </a></h3><ul><li class=\"dt\">07月1").append(i).append("日</li><li>drama</li></ul></div>");
      }
      b.append("</div><div class=\"item\"><h3>outside the listing</h3></div>");
      html(res, b.toString());
    } else if (path.startsWith("/subject/")) {
      String n = path.replaceAll("[^0-9]", "");
      vertx.setTimer(20, t -> html(res, "<title>Movie " + n + "</title><div id=\"mainpic\"><img src=\"../../img/p" + n
          + ".jpg\" rel=\"v:image\"></div>"));
    } else if (path.startsWith("/img/p")) {
      int n = Integer.parseInt(path.replaceAll("[^0-9]", ""));
      res.putHeader("Content-Type", "image/jpeg").end(Buffer.buffer(poster(n)));
    } else if (path.equals("/gallery")) {
      html(res, "<title>gallery</title><div class=item><img src=\"/huge.jpg\"></div><div class=item><img src=\"img/p1.jpg\">"
          + "</div><div class=item><img src=\"/img/p1.jpg#again\"></div><div class=item><img src=\"/thumb/9.jpg\"></div>");
    } else if (path.equals("/huge.jpg")) {
      res.putHeader("Content-Type", "image/jpeg");
      endless(res);
    } else if (path.startsWith("/tree/")) {
      // /tree/N links to /tree/2N and /tree/2N+1 (and back to the root, and off-host), a binary tree of pages
      int n = Integer.parseInt(path.substring("/tree/".length()));
      html(res, "<title>node " + n + "</title><a href=\"/tree/" + (2 * n) + "\">l</a><a href=\"" + (2 * n + 1)
          + "#frag\">r</a><a href=\"/tree/1\">root</a><a href=\"HTTP://127.0.0.1:" + port() + "/tree/" + (2 * n)
          + "\">dup</a><a href=\"" + otherHostUrl("/tree/999") + "\">off</a><a href=\"mailto:x@y\">mail</a>");
    } else if (path.startsWith("/deep/")) {
      // /deep/D/anything: D nested <div><p> pairs, small in bytes but costly for selectors such as "div:has(span) p"
      int depth = Integer.parseInt(path.split("/")[2]);
      html(res, "<title>deep</title></head><body>" + "<div><p>x</p>".repeat(depth) + "</div>".repeat(depth)
          + "<head>");
    } else if (path.startsWith("/private/")) {
      html(res, "<title>private</title>");
    } else {
      res.setStatusCode(404).end("no such page");
    }
  }

  private final Map<Integer, Buffer> bulkPages = new ConcurrentHashMap<>();

  private Buffer bulk(int kib) {
    return bulkPages.computeIfAbsent(kib, k -> {
      StringBuilder b = new StringBuilder(k * 1024 + 64).append("<!doctype html><title>bulk</title>");
      for (int i = 0; b.length() < k * 1024; i++) {
        b.append("<div class=item><a href=\"/file/b").append(i).append("\">x</a></div>\n");
      }
      return Buffer.buffer(b.toString());
    });
  }

  private void endless(HttpServerResponse res) {
    res.setChunked(true);
    Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
    AtomicBoolean broken = new AtomicBoolean();
    Runnable[] pump = new Runnable[1];
    // Writes one chunk per turn of the event loop, so that a closed connection is noticed at once.
    pump[0] = () -> {
      if (broken.get() || res.closed() || endlessBytesWritten.get() >= ENDLESS_LIMIT) {
        return;
      }
      res.write(chunk).onFailure(e -> broken.set(true));
      endlessBytesWritten.addAndGet(chunk.length());
      if (res.writeQueueFull()) {
        res.drainHandler(v -> vertx.runOnContext(x -> pump[0].run()));
      } else {
        vertx.runOnContext(x -> pump[0].run());
      }
    };
    pump[0].run();
  }

  /**
   * Completes when the site has exactly {@code n} requests in flight (at once, if it has now), so that a test waits
   * for what the site saw rather than polling or sleeping.
   */
  public Future<Void> whenInFlight(int n) {
    Promise<Void> p = Promise.promise();
    synchronized (inFlightWaiters) {
      if (inFlight.get() == n) {
        p.complete();
      } else {
        inFlightWaiters.add(Map.entry(n, p));
      }
    }
    return p.future();
  }

  private void track(String host, int delta) {
    int total;
    synchronized (inFlightWaiters) {
      total = inFlight.addAndGet(delta);
      inFlightWaiters.removeIf(w -> w.getKey() == total && w.getValue().tryComplete());
    }
    maxInFlight.accumulateAndGet(total, Math::max);
    int perHost = inFlightByHost.computeIfAbsent(host, h -> new AtomicInteger()).addAndGet(delta);
    maxByHost.computeIfAbsent(host, h -> new AtomicInteger()).accumulateAndGet(perHost, Math::max);
  }

  private static void html(HttpServerResponse res, String body) {
    if (!res.closed() && !res.ended()) {
      res.putHeader("Content-Type", "text/html; charset=utf-8").end("<!doctype html><html><head>" + body
          + "</head></html>");
    }
  }

  private void shop(String path, HttpServerResponse res) {
    if (path.startsWith("/shop/item/")) {
      html(res, "<title>Widget " + path.replaceAll("[^0-9]", "") + "</title></head><body><p>details</p><head>");
      return;
    }
    int page;
    try {
      page = path.startsWith("/shop/page/") ? Integer.parseInt(path.substring("/shop/page/".length())) : 0;
    } catch (NumberFormatException e) {
      page = 0;
    }
    if (page < 1 || page > PAGES) {
      res.setStatusCode(404).end("no such page");
      return;
    }
    StringBuilder b = new StringBuilder("<title>Shop page ").append(page).append("</title></head><body>")
        .append("<div id=\"listing\">");
    for (int i = (page - 1) * ITEMS_PER_PAGE + 1; i <= page * ITEMS_PER_PAGE; i++) {
      b.append("<div class=\"item\"><h3><a href=\"/shop/item/").append(i).append("\">").append(name(i))
          .append("</a></h3><span class=\"price\">").append(price(i)).append("</span></div>");
    }
    b.append("</div>");
    if (page < PAGES) {
      b.append("<a class=\"next\" href=\"/shop/page/").append(page + 1).append("\">next</a>");
    }
    String body = b.append("<head>").toString();
    if (page == PAGES) {
      lastPage.future().onComplete(v -> html(res, body));
    } else {
      html(res, body);
    }
  }

  @Override
  public void close() throws Exception {
    releaseLastPage();
    try {
      Await.result(server.close(), 10);
    } finally {
      if (ownsVertx) {
        Await.result(vertx.close(), 10);
      }
    }
  }
}
