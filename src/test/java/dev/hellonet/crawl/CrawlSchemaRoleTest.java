package dev.hellonet.crawl;

import dev.hellonet.config.HellonetConfig.CrawlStoreConfig;
import dev.hellonet.config.HellonetConfig.PostgresConfig;
import dev.hellonet.crawl.job.CrawlSchema;
import dev.hellonet.crawl.job.PgCrawlStore;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crawl tables that k8s/postgres/hellonet-role.sql makes for the restricted role are the ones {@code hellonet
 * init} makes ({@link CrawlSchema}), column for column, key for key and index for index; and the role can do what a
 * node does with them: open the store, add, change and evict a job, while init finds them current.
 */
class CrawlSchemaRoleTest {
  private static final Path SCRIPT = Path.of("k8s", "postgres", "hellonet-role.sql");
  private static final String PASSWORD = "role-test-password";
  private static PostgresServer pg;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresServer.start();
    pg.psql("postgres", "DROP DATABASE " + PostgresServer.DATABASE);
    pg.psql("postgres", "DROP ROLE " + PostgresServer.USER);
    pg.psql("postgres", "CREATE DATABASE " + PostgresServer.DATABASE);
    pg.psqlFile(PostgresServer.DATABASE, SCRIPT, Map.of("HELLONET_PASSWORD", PASSWORD));
    // The same tables made by init, in a database the role owns (so it may create them there).
    pg.psql("postgres", "CREATE DATABASE fresh OWNER hellonet");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      Await.result(vertx.close());
    }
    if (pg != null) {
      pg.close();
    }
  }

  private static CrawlStoreConfig store(String database) {
    return new CrawlStoreConfig("postgres", 3_000, 500, 50, 1, new PostgresConfig("127.0.0.1", pg.port(), database,
        "hellonet", "unused", 1, "disable", "", "", PASSWORD));
  }

  private static String shape(String database) throws Exception {
    return pg.psql(database, "SELECT table_name || ' ' || column_name || ' ' || data_type || ' ' || is_nullable"
        + " || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_name LIKE"
        + " 'hellonet_%' AND table_name <> 'hellonet_sequence' ORDER BY 1")
        + "\n" + pg.psql(database, "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
        + " FROM pg_constraint WHERE conrelid::regclass::text LIKE 'hellonet_%' AND conrelid::regclass::text <>"
        + " 'hellonet_sequence' ORDER BY 1")
        + "\n" + pg.psql(database, "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'hellonet_crawl%'"
        + " OR tablename = 'hellonet_schema_version' ORDER BY 1")
        + "\n" + pg.psql(database, "SELECT component || ' ' || version FROM hellonet_schema_version");
  }

  @Test
  void theScriptMakesTheTablesInitMakes() throws Exception {
    Pool fresh = PgCrawlStore.pool(vertx, store("fresh"));
    try {
      assertTrue(Await.result(CrawlSchema.initialise(fresh)).startsWith("created"));
    } finally {
      Await.result(fresh.close());
    }
    String made = shape("fresh");
    assertTrue(made.contains("hellonet_crawl_item"), made);
    assertEquals(made, shape(PostgresServer.DATABASE));
  }

  @Test
  void theRoleCanKeepJobsAndInitFindsTheTablesCurrent() throws Exception {
    Pool pool = PgCrawlStore.pool(vertx, store(PostgresServer.DATABASE));
    try {
      assertTrue(Await.result(CrawlSchema.initialise(pool)).endsWith("left as they are"));
      PgCrawlStore opened = Await.result(PgCrawlStore.open(vertx, store(PostgresServer.DATABASE)));
      Await.result(opened.close());
      Await.result(pool.preparedQuery("INSERT INTO hellonet_crawl_job (id, created_at, request, status, summary)"
          + " VALUES ($1, now(), $2, 'completed', $2)").execute(Tuple.of("j-1", new JsonObject())));
      Await.result(pool.preparedQuery("UPDATE hellonet_crawl_job SET owner = 'x' WHERE id = $1")
          .execute(Tuple.of("j-1")));
      assertEquals(1, Await.result(pool.preparedQuery("DELETE FROM hellonet_crawl_job WHERE id = $1")
          .execute(Tuple.of("j-1"))).rowCount());
    } finally {
      Await.result(pool.close());
    }
  }
}
