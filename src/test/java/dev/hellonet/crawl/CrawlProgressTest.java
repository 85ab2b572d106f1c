package dev.hellonet.crawl;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.testing.TestConfig;
import dev.hellonet.testing.TestSite;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A crawl publishes its state changes and its progress every N pages on hellonet.crawler.progress. The events are
 * asynchronous, so the tests take them as they come (VertxTestContext) rather than polling.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrawlProgressTest {
  @TempDir
  Path dir;

  private TestSite site;

  @AfterEach
  void stop() throws Exception {
    if (site != null) {
      site.close();
    }
  }

  /** Runs one crawl of the shop; completes with every event it published once one says the job ended. */
  private Future<List<JsonObject>> crawl(Vertx vertx, int everyPages) throws Exception {
    site = TestSite.start(vertx);
    CrawlerConfig config = new CrawlerConfig("hellonet-test/1.0", 64, 64 * 1024, 5, 20, dir.resolve("downloads"),
        256 * 1024, TestConfig.LOOPBACK_TARGETS, List.of());
    List<JsonObject> events = new ArrayList<>();
    Promise<List<JsonObject>> ended = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.CRAWL_PROGRESS, m -> {
      events.add(m.body());
      if (!m.body().getJsonObject("job").getString("status").equals("running")) {
        ended.tryComplete(events);
      }
    });
    JsonObject request = new JsonObject().put("urls", List.of(site.firstPage())).put("maxDepth", TestSite.PAGES);
    return consumer.completion()
        .compose(v -> vertx.deployVerticle(new CrawlerVerticle(config, new CounterRegistry("test"), everyPages)))
        .compose(d -> vertx.eventBus().<JsonObject>request(Addresses.CRAWL_START, request))
        .compose(started -> ended.future().map(all -> {
          for (JsonObject e : all) {
            assertEquals(started.body().getString("id"), e.getJsonObject("job").getString("id"), e.encode());
          }
          return all;
        }));
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
  void everyPageAndEveryStateChangeIsPublishedInOrder(Vertx vertx, VertxTestContext ctx) throws Exception {
    crawl(vertx, 1).onComplete(ctx.succeeding(events -> ctx.verify(() -> {
      JsonObject last = events.get(events.size() - 1).getJsonObject("job");
      int pages = finalPages(last);
      assertTrue(pages >= TestSite.PAGES, last.encode());
      assertEquals(expected(pages), kinds(events));
      for (int i = 1; i <= pages; i++) {
        assertEquals(i, finalPages(events.get(i).getJsonObject("job")), "page event " + i + ": " + events.get(i));
      }
      ctx.completeNow();
    })));
  }

  @Test
  void progressComesEveryNPages(Vertx vertx, VertxTestContext ctx) throws Exception {
    crawl(vertx, 4).onComplete(ctx.succeeding(events -> ctx.verify(() -> {
      int pages = finalPages(events.get(events.size() - 1).getJsonObject("job"));
      assertEquals(expected(pages / 4), kinds(events));
      assertEquals(4, finalPages(events.get(1).getJsonObject("job")), events.get(1).encode());
      ctx.completeNow();
    })));
  }
}
