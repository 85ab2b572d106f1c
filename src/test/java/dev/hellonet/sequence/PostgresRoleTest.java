package dev.hellonet.sequence;

import dev.hellonet.config.HellonetConfig.PostgresConfig;
import dev.hellonet.config.HellonetConfig.SequenceConfig;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * k8s/postgres/hellonet-role.sql on a real PostgreSQL, run as the image's entry point runs it (the superuser, in the
 * database the image creates): the role it makes is enough for {@code hellonet init-sequence}, a node's leases and
 * the cluster's identity check, and for nothing else.
 */
class PostgresRoleTest {
  private static final Path SCRIPT = Path.of("k8s", "postgres", "hellonet-role.sql");
  private static final String PASSWORD = "role-test-password";
  private static PostgresServer pg;
  private static Vertx vertx;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = PostgresServer.start();
    // As the image leaves it: the database belongs to the superuser, and there is no hellonet role yet.
    pg.psql("postgres", "DROP DATABASE " + PostgresServer.DATABASE);
    pg.psql("postgres", "DROP ROLE " + PostgresServer.USER);
    pg.psql("postgres", "CREATE DATABASE " + PostgresServer.DATABASE);
    pg.psqlFile(PostgresServer.DATABASE, SCRIPT, Map.of("HELLONET_PASSWORD", PASSWORD));
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

  private static PostgresConfig asHellonet(String name) {
    return new PostgresConfig("127.0.0.1", pg.port(), PostgresServer.DATABASE, "hellonet", name, 1, "disable", "", "",
        PASSWORD);
  }

  @Test
  void theRoleCanInitialiseLeaseAndTellItsDatabase() throws Exception {
    SequenceConfig config = new SequenceConfig("postgres", Path.of("unused"), false, 16, 256, asHellonet("role"));
    assertEquals(0, Await.result(SequenceStores.initialise(vertx, config, 100)).before(), "created");

    SequenceStore store = Await.result(SequenceStores.open(vertx, config));
    try {
      assertEquals(new Block(100, 110), Await.result(store.lease(10)));
      assertTrue(Await.result(store.giveBack(new Block(105, 110))));
      assertTrue(Await.result(store.identity()).startsWith("postgres system "));
    } finally {
      Await.result(store.close());
    }
    assertEquals("f", pg.psql("postgres", "SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles"
        + " WHERE rolname = 'hellonet'"));
  }

  @Test
  void theRoleCanDoNothingElse() throws Exception {
    pg.psql(PostgresServer.DATABASE, "INSERT INTO hellonet_sequence VALUES ('other', 7) ON CONFLICT DO NOTHING");
    Pool pool = PgBuilder.pool().connectingTo(PostgresSequenceStore.connectOptions(asHellonet("x"))).using(vertx)
        .build();
    try {
      for (String sql : List.of(
          "CREATE TABLE mine (x int)",
          "DELETE FROM hellonet_sequence WHERE name = 'other'",
          "TRUNCATE hellonet_sequence",
          "DROP TABLE hellonet_sequence",
          "ALTER TABLE hellonet_sequence DROP CONSTRAINT hellonet_sequence_high_water_check",
          "CREATE DATABASE another",
          "CREATE ROLE another")) {
        Throwable e = Await.failure(pool.query(sql).execute());
        assertInstanceOf(PgException.class, e, sql);
        assertEquals("42501", ((PgException) e).getSqlState(), sql + ": " + e.getMessage());
      }
    } finally {
      Await.result(pool.close());
    }
    assertEquals("7", pg.psql(PostgresServer.DATABASE, "SELECT high_water FROM hellonet_sequence WHERE name = 'other'"));
  }

  @Test
  void withoutAPasswordTheScriptStopsSayingWhichKey() {
    IOException e = assertThrows(IOException.class, () -> pg.psqlFile("postgres", SCRIPT,
        Map.of("HELLONET_PASSWORD", "")));
    assertTrue(e.getMessage().contains("postgres-password key of the hellonet-secrets Secret"), e.getMessage());
  }
}
