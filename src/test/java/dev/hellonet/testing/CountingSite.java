package dev.hellonet.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback site of {@code pages} HTML pages {@code /p/0 .. /p/<pages-1>} in a tree ({@code /p/n} links to
 * {@code /p/(n*fan+1) .. /p/(n*fan+fan)}), each with {@link #ITEMS_PER_PAGE} items {@code <li class="item"><span
 * class="name">p<n>-i<k></span></li>}, answered after {@code delayMs}. It counts every request it serves, by path, so
 * that a test can tell which pages a crawl fetched more than once. Runs in the test's JVM, so it outlives the nodes.
 */
public final class CountingSite implements AutoCloseable {
  /** Items on every page. */
  public static final int ITEMS_PER_PAGE = 2;
  private final HttpServer server;
  private final int pages;
  private final int fan;
  private final long delayMs;
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

  private CountingSite(int pages, int fan, long delayMs) throws IOException {
    this.pages = pages;
    this.fan = fan;
    this.delayMs = delayMs;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  /** Starts the site on a free loopback port. */
  public static CountingSite start(int pages, int fan, long delayMs) throws IOException {
    return new CountingSite(pages, fan, delayMs);
  }

  /** The absolute URL of {@code path} on this site. */
  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public int pages() {
    return pages;
  }

  /** Requests served so far, by path. */
  public Map<String, Integer> served() {
    Map<String, Integer> out = new TreeMap<>();
    served.forEach((path, n) -> out.put(path, n.get()));
    return out;
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    served.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    try {
      Thread.sleep(delayMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int n = -1;
    if (path.startsWith("/p/")) {
      try {
        n = Integer.parseInt(path.substring(3));
      } catch (NumberFormatException e) {
        n = -1;
      }
    }
    if (n < 0 || n >= pages) {
      reply(ex, 404, "text/plain", "not found");
      return;
    }
    StringBuilder html = new StringBuilder("<html><head><title>page ").append(n).append("</title></head><body><ul>");
    for (int k = 0; k < ITEMS_PER_PAGE; k++) {
      html.append("<li class=\"item\"><span class=\"name\">p").append(n).append("-i").append(k).append("</span></li>");
    }
    html.append("</ul>");
    for (int c = n * fan + 1; c <= n * fan + fan && c < pages; c++) {
      html.append("<a href=\"/p/").append(c).append("\">").append(c).append("</a> ");
    }
    reply(ex, 200, "text/html; charset=utf-8", html.append("</body></html>").toString());
  }

  private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
