package dev.hellonet.crawl;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small web site the crawler tests serve themselves on loopback, with per-page delays, failures, redirects, a
 * movie listing with detail pages and posters, robots.txt, and an endless body. It counts requests in flight (overall
 * and per Host header) and remembers the highest counts seen.
 */
final class TestSite implements AutoCloseable {
  static final int POSTERS = 3;
  static final long ENDLESS_LIMIT = 256L * 1024 * 1024;
  private final Vertx vertx;
  private final HttpServer server;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final Map<String, AtomicInteger> inFlightByHost = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> maxByHost = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  final AtomicLong endlessBytesWritten = new AtomicLong();
  final AtomicInteger resetByClient = new AtomicInteger();

  private final int robotsStatus;
  private String robotsText = "User-agent: *\nDisallow: /private/\n";

  private final String host;

  private TestSite(Vertx vertx, int robotsStatus) throws Exception {
    this(vertx, robotsStatus, "127.0.0.1");
  }

  private TestSite(Vertx vertx, int robotsStatus, String host) throws Exception {
    this.vertx = vertx;
    this.robotsStatus = robotsStatus;
    this.host = host;
    this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, host)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The site on another loopback address (Linux answers on all of 127.0.0.0/8). */
  static TestSite on(Vertx vertx, String host) throws Exception {
    return new TestSite(vertx, 200, host);
  }

  static TestSite start(Vertx vertx) throws Exception {
    return new TestSite(vertx, 200);
  }

  /** A site whose robots.txt answers {@code robotsStatus} instead of its rules. */
  static TestSite withRobotsStatus(Vertx vertx, int robotsStatus) throws Exception {
    return new TestSite(vertx, robotsStatus);
  }

  /** A site whose robots.txt holds {@code text}. */
  static TestSite withRobots(Vertx vertx, String text) throws Exception {
    TestSite site = new TestSite(vertx, 200);
    site.robotsText = text;
    return site;
  }

  int port() {
    return server.actualPort();
  }

  String url(String path) {
    return "http://" + host + ":" + port() + path;
  }

  /** The same server under another host name, which the crawler treats as another host. */
  String otherHostUrl(String path) {
    return "http://localhost:" + port() + path;
  }

  int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  static byte[] poster(int n) {
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
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
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
    if (path.startsWith("/slow/")) {
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
    java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
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

  private void track(String host, int delta) {
    int total = inFlight.addAndGet(delta);
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

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
