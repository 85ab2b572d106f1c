package dev.hellonet.crawl;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.testing.ListingSite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A crawl publishes its state changes and its progress every N pages on hellonet.crawler.progress. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrawlProgressTest {
  @TempDir
  Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private List<JsonObject> crawl(Vertx vertx, int everyPages) throws Exception {
    ListingSite site = ListingSite.start(vertx);
    CrawlerConfig config = new CrawlerConfig("hellonet-test/1.0", 64, 64 * 1024, 5, 20, dir.resolve("downloads"),
        256 * 1024, List.of(), List.of());
    await(vertx.deployVerticle(new CrawlerVerticle(config, new CounterRegistry("test"), everyPages)));
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    await(vertx.eventBus().<JsonObject>consumer(Addresses.CRAWL_PROGRESS, m -> events.add(m.body())).completion());
    JsonObject job = (JsonObject) await(vertx.eventBus().request(Addresses.CRAWL_START, new JsonObject()
        .put("urls", List.of(site.firstPage())).put("maxDepth", ListingSite.PAGES))).body();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (events.isEmpty() || events.get(events.size() - 1).getJsonObject("job").getString("status").equals("running")) {
      assertTrue(System.nanoTime() < deadline, "the crawl did not end in 30 s: " + events);
      Thread.sleep(20);
    }
    site.close();
    for (JsonObject e : events) {
      assertEquals(job.getString("id"), e.getJsonObject("job").getString("id"), e.encode());
    }
    return events;
  }

  private static String kinds(List<JsonObject> events) {
    StringBuilder s = new StringBuilder();
    for (JsonObject e : events) {
      s.append(e.getString("event")).append(':').append(e.getJsonObject("job").getString("status")).append(' ');
    }
    return s.toString().trim();
  }

  private static int finalPages(JsonObject job) {
    JsonObject stats = job.getJsonObject("stats");
    return stats.getInteger("ok") + stats.getInteger("failed") + stats.getInteger("skipped");
  }

  private static String expected(int pagesEvents) {
    return "state:running " + "pages:running ".repeat(pagesEvents) + "state:completed";
  }

  @Test
  void everyPageAndEveryStateChangeIsPublishedInOrder(Vertx vertx) throws Exception {
    List<JsonObject> events = crawl(vertx, 1);

    JsonObject last = events.get(events.size() - 1).getJsonObject("job");
    int pages = finalPages(last);
    assertTrue(pages >= ListingSite.PAGES, last.encode());
    assertEquals(expected(pages), kinds(events));
    for (int i = 1; i <= pages; i++) {
      assertEquals(i, finalPages(events.get(i).getJsonObject("job")), "page event " + i + ": " + events.get(i));
    }
  }

  @Test
  void progressComesEveryNPages(Vertx vertx) throws Exception {
    List<JsonObject> events = crawl(vertx, 4);

    int pages = finalPages(events.get(events.size() - 1).getJsonObject("job"));
    assertEquals(expected(pages / 4), kinds(events));
    assertEquals(4, finalPages(events.get(1).getJsonObject("job")), events.get(1).encode());
  }
}
