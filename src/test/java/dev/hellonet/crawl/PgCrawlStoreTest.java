package dev.hellonet.crawl;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.CrawlStoreConfig;
import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.config.HellonetConfig.CrawlerLimits;
import dev.hellonet.config.HellonetConfig.PostgresConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.crawl.job.CrawlSchema;
import dev.hellonet.crawl.job.PgCrawlStore;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.CountingSite;
import dev.hellonet.testing.PostgresExtension;
import dev.hellonet.testing.PostgresServer;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two crawler instances in one JVM on one real PostgreSQL ({@code crawler.store=postgres}), each answering only on
 * its own addresses, as two nodes would: a job started on one is read, listed and cancelled through the other, and
 * the history ceiling deletes the rows of evicted jobs. The schema check refuses a database without the tables.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PgCrawlStoreTest {
  @RegisterExtension
  static final PostgresExtension postgres = new PostgresExtension();
  private static int databases;
  private Vertx vertx;
  private CountingSite site;
  private String database;

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    database = "crawlstore" + (++databases);
    postgres.server().createDatabase(database);
  }

  @AfterEach
  void stop() throws Exception {
    Await.result(vertx.close());
    if (site != null) {
      site.close();
    }
  }

  private CrawlStoreConfig store() {
    return new CrawlStoreConfig("postgres", 3_000, 500, 50, 2, new PostgresConfig("127.0.0.1", postgres.server().port(), database,
        PostgresServer.USER, "unused", 1, "disable", "", "", PostgresServer.PASSWORD));
  }

  private void init() throws Exception {
    Pool pool = PgCrawlStore.pool(vertx, store());
    try {
      assertTrue(Await.result(pool.query("SELECT 1").execute()).size() == 1);
      assertEquals("created the crawl tables at schema version " + CrawlSchema.VERSION,
          Await.result(CrawlSchema.initialise(pool)));
      assertTrue(Await.result(CrawlSchema.initialise(pool)).endsWith("left as they are"), "init twice changes nothing");
    } finally {
      Await.result(pool.close());
    }
  }

  /** A crawler instance answering on the addresses of {@code owner}, with {@code historySize} jobs kept. */
  private String deploy(String owner, int historySize) throws Exception {
    CrawlerConfig config = new CrawlerConfig("hellonet-test/1.0", 64, 1 << 20, 5, historySize,
        dir.resolve("downloads"), 1 << 20, TestConfig.LOOPBACK_TARGETS, List.of(), CrawlerLimits.DEFAULTS, store());
    return Await.result(vertx.deployVerticle(new CrawlerVerticle(config, new CounterRegistry("test"), 10, owner)));
  }

  private JsonObject ask(String address, String owner, JsonObject body) throws Exception {
    return Await.result(vertx.eventBus().<JsonObject>request(Addresses.ofInstance(address, owner), body)).body();
  }

  private JsonObject crawl(int pages) {
    return new JsonObject().put("urls", new JsonArray().add(site.url("/p/0"))).put("maxDepth", 20)
        .put("respectRobots", false).put("concurrency", 1).put("perHostConcurrency", 1).put("maxPages", pages)
        .put("extract", new JsonObject().put("items", ".item").put("fields", new JsonObject().put("name", ".name")));
  }

  private JsonObject awaitStatus(String owner, String id, String status) throws Exception {
    JsonObject[] last = new JsonObject[1];
    Await.until(() -> {
      last[0] = ask(Addresses.CRAWL_GET, owner, new JsonObject().put("id", id));
      return status.equals(last[0].getString("status"));
    }, 60, "job " + id + " " + status);
    return last[0];
  }

  @Test
  void aNodeRefusesADatabaseWithoutTheCrawlTablesAndSaysWhatToRun() throws Exception {
    Throwable e = Await.failure(vertx.deployVerticle(new CrawlerVerticle(new CrawlerConfig("hellonet-test/1.0", 64,
        1 << 20, 5, 10, dir.resolve("downloads"), 1 << 20, TestConfig.LOOPBACK_TARGETS, List.of(),
        CrawlerLimits.DEFAULTS, store()), new CounterRegistry("test"))));
    assertTrue(e.getMessage().contains("the crawl tables do not exist") && e.getMessage().contains("hellonet init"),
        e.getMessage());
  }

  @Test
  void aJobStartedOnOneInstanceIsReadListedAndCancelledThroughAnother() throws Exception {
    init();
    site = CountingSite.start(200, 2, 100);
    deploy("n1.0", 10);
    deploy("n2.0", 10);
    String id = ask(Addresses.CRAWL_START, "n1.0", crawl(200)).getString("id");
    assertTrue(id.startsWith("n1.0."), id);
    Await.until(() -> ask(Addresses.CRAWL_GET, "n2.0", new JsonObject().put("id", id))
        .getJsonObject("stats").getInteger("ok") >= 3, 30, "pages written and read through the other instance");
    JsonObject listed = ask(Addresses.CRAWL_LIST, "n2.0", new JsonObject());
    assertEquals(id, listed.getJsonArray("jobs").getJsonObject(0).getString("id"));

    JsonObject cancelled = ask(Addresses.CRAWL_CANCEL, "n2.0", new JsonObject().put("id", id));
    assertEquals("cancelled", cancelled.getString("status"), "the owner stopped it, asked through the bus");
    JsonObject stored = awaitStatus("n2.0", id, "cancelled");
    assertEquals("cancelled by request", stored.getString("error"));
    int served = site.served().size();
    Thread.sleep(500);
    assertEquals(served, site.served().size(), "nothing fetched after the cancel");
  }

  @Test
  void finishedJobsBeyondTheHistoryAreDeletedWithTheirRows() throws Exception {
    init();
    site = CountingSite.start(5, 2, 0);
    deploy("n1.0", 2);
    deploy("n2.0", 2);
    String[] ids = new String[3];
    for (int i = 0; i < 3; i++) {
      ids[i] = ask(Addresses.CRAWL_START, "n1.0", crawl(5)).getString("id");
      JsonObject done = awaitStatus("n2.0", ids[i], "completed");
      assertEquals(5, done.getJsonArray("pages").size());
      assertEquals(10, done.getJsonArray("items").size());
      Thread.sleep(50); // distinct creation times, for the order of the list
    }
    Await.until(() -> postgres.server().psql(database, "SELECT count(*) FROM hellonet_crawl_job").equals("2"), 10,
        "the oldest job evicted");
    assertEquals("0", postgres.server().psql(database, "SELECT count(*) FROM hellonet_crawl_page WHERE job_id = '" + ids[0] + "'"));
    assertEquals("0", postgres.server().psql(database, "SELECT count(*) FROM hellonet_crawl_item WHERE job_id = '" + ids[0] + "'"));
    ReplyException gone = assertInstanceOf(ReplyException.class, Await.failure(vertx.eventBus().request(
        Addresses.ofInstance(Addresses.CRAWL_GET, "n2.0"), new JsonObject().put("id", ids[0]))));
    assertEquals(Addresses.FAILURE_NOT_FOUND, gone.failureCode());

    JsonObject first = ask(Addresses.CRAWL_LIST, "n2.0", new JsonObject().put("limit", 1));
    assertEquals(ids[2], first.getJsonArray("jobs").getJsonObject(0).getString("id"));
    JsonObject second = ask(Addresses.CRAWL_LIST, "n1.0", new JsonObject().put("limit", 1)
        .put("cursor", first.getString("nextCursor")));
    assertEquals(ids[1], second.getJsonArray("jobs").getJsonObject(0).getString("id"));
    assertNull(second.getString("nextCursor"));
    // A window pages through the records.
    JsonObject window = ask(Addresses.CRAWL_GET, "n2.0", new JsonObject().put("id", ids[2]).put("offset", 3)
        .put("limit", 2));
    assertEquals(2, window.getJsonArray("pages").size());
    assertEquals(2, window.getJsonArray("items").size());
    assertEquals(10, window.getJsonObject("window").getJsonObject("totals").getInteger("items"));
  }
}
