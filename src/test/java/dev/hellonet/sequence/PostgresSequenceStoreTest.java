package dev.hellonet.sequence;

import dev.hellonet.config.HellonetConfig.PostgresConfig;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.PostgresServer;
import dev.hellonet.testing.ServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PostgreSQL store against a real, throwaway PostgreSQL: leases, schema races, give-back, outages, bad settings. */
class PostgresSequenceStoreTest {
  private static PostgresServer pg;
  private static final AtomicInteger names = new AtomicInteger();
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<SequenceStore> opened = new ArrayList<>();

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @BeforeEach
  void startVertx() {
    vertxes.add(Vertx.vertx());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (SequenceStore store : opened) {
      Await.result(store.close(), 10);
    }
    for (Vertx v : vertxes) {
      Await.result(v.close(), 10);
    }
  }

  private static PostgresConfig config(String database, String name) {
    return new PostgresConfig("127.0.0.1", pg.port(), database, PostgresServer.USER, name, 2, "disable", "", "",
        PostgresServer.PASSWORD);
  }

  private static String freshName() {
    return "test-" + names.incrementAndGet();
  }

  private SequenceStore open(PostgresConfig config) throws Exception {
    return open(vertxes.get(0), config);
  }

  private SequenceStore open(Vertx on, PostgresConfig config) throws Exception {
    SequenceStore store = Await.result(PostgresSequenceStore.open(on, config, true));
    opened.add(store);
    return store;
  }

  @Test
  void leasesAreContiguousDisjointAndTheRowHoldsTheMark() throws Exception {
    String name = freshName();
    SequenceStore store = open(config(PostgresServer.DATABASE, name));

    assertEquals(1, store.knownHighWaterMark());
    assertEquals(new Block(1, 11), Await.result(store.lease(10)));
    assertEquals(new Block(11, 111), Await.result(store.lease(100)));
    assertEquals(111, store.knownHighWaterMark());
    assertEquals(111L, Await.result(store.highWaterMark()));
    assertEquals("111", pg.psql(PostgresServer.DATABASE,
        "SELECT high_water FROM hellonet_sequence WHERE name = '" + name + "'"));
    assertTrue(store.describe().startsWith("postgres://hellonet@127.0.0.1:" + pg.port() + "/hellonet"),
        store.describe());
    assertFalse(store.describe().contains(PostgresServer.PASSWORD));
    assertEquals("postgres", store.status().getString("kind"));
  }

  @Test
  void concurrentLeasesFromSeveralStoresNeverOverlap() throws Exception {
    // Each store is what one node holds: its own Vert.x and its own connection pool, all on one row.
    String name = freshName();
    List<SequenceStore> stores = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Vertx v = Vertx.vertx();
      vertxes.add(v);
      stores.add(open(v, config(PostgresServer.DATABASE, name)));
    }
    List<Future<Block>> leases = new ArrayList<>();
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < stores.size(); i++) {
        leases.add(stores.get(i).lease(1 + (round * 7 + i * 13) % 97));
      }
    }
    List<Block> blocks = new ArrayList<>();
    for (Future<Block> f : leases) {
      blocks.add(Await.result(f));
    }
    blocks.sort(Comparator.comparingLong(Block::start));
    assertEquals(1, blocks.get(0).start());
    for (int i = 1; i < blocks.size(); i++) {
      assertEquals(blocks.get(i - 1).end(), blocks.get(i).start(), "contiguous and disjoint: " + blocks);
    }
    assertEquals(Long.toString(blocks.get(blocks.size() - 1).end()), pg.psql(PostgresServer.DATABASE,
        "SELECT high_water FROM hellonet_sequence WHERE name = '" + name + "'"));
  }

  @Test
  void schemaCreationRacingFromSeveralNodesSucceedsForAllOfThem() throws Exception {
    String database = "race" + names.incrementAndGet();
    pg.createDatabase(database);
    List<Future<SequenceStore>> opening = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Vertx v = Vertx.vertx();
      vertxes.add(v);
      opening.add(PostgresSequenceStore.open(v, config(database, "shared"), true));
    }
    List<Block> blocks = new ArrayList<>();
    for (Future<SequenceStore> f : opening) {
      SequenceStore store = Await.result(f);
      opened.add(store);
      blocks.add(Await.result(store.lease(5)));
    }
    assertEquals("1", pg.psql(database, "SELECT count(*) FROM hellonet_sequence"), "one row for the shared name");
    blocks.sort(Comparator.comparingLong(Block::start));
    for (int i = 0; i < blocks.size(); i++) {
      assertEquals(new Block(1 + 5L * i, 6 + 5L * i), blocks.get(i), "all six leased from one sequence: " + blocks);
    }
  }

  @Test
  void createIfMissingFalseRefusesAMissingTableAndAMissingRow() throws Exception {
    String database = "empty" + names.incrementAndGet();
    pg.createDatabase(database);
    Throwable noTable = Await.failure(PostgresSequenceStore.open(vertxes.get(0), config(database, "x"), false));
    assertInstanceOf(SequenceStoreException.class, noTable);
    assertTrue(noTable.getMessage().contains("hellonet_sequence does not exist"), noTable.getMessage());
    assertTrue(noTable.getMessage().contains("sequence.createIfMissing"), noTable.getMessage());
    assertEquals("", pg.psql(database, "SELECT to_regclass('hellonet_sequence')"), "nothing created");

    open(config(database, "other")); // creates the table and row "other"
    Throwable noRow = Await.failure(PostgresSequenceStore.open(vertxes.get(0), config(database, "missing"), false));
    assertTrue(noRow.getMessage().contains("no row \"missing\""), noRow.getMessage());
    assertEquals("0", pg.psql(database, "SELECT count(*) FROM hellonet_sequence WHERE name = 'missing'"));
  }

  @Test
  void giveBackLowersTheMarkOnlyWhenNothingWasLeasedAbove() throws Exception {
    String name = freshName();
    SequenceStore a = open(config(PostgresServer.DATABASE, name));
    Vertx other = Vertx.vertx();
    vertxes.add(other);
    SequenceStore b = open(other, config(PostgresServer.DATABASE, name));

    Block first = Await.result(a.lease(100));
    assertTrue(Await.result(a.giveBack(new Block(51, 101))), "the unused tail of the top block goes back");
    assertEquals(51L, Await.result(a.highWaterMark()));
    Block second = Await.result(a.lease(100));
    assertEquals(new Block(51, 151), second);
    Await.result(b.lease(10)); // someone leased above
    assertFalse(Await.result(a.giveBack(new Block(100, 151))), "a lease above it: the gap stays");
    assertFalse(Await.result(b.giveBack(new Block(1, 51))), "not b's block: refused without asking the database");
    assertEquals(161L, Await.result(b.highWaterMark()));
    assertEquals(first.start(), 1);
  }

  @Test
  void databaseStoppedFailsLeasesClearlyAndTheyContinueAboveAfterItStarts() throws Exception {
    String name = freshName();
    SequenceStore store = open(config(PostgresServer.DATABASE, name));
    Block before = Await.result(store.lease(10));
    pg.stopImmediately();
    try {
      Throwable e = Await.failure(store.lease(10));
      assertInstanceOf(SequenceStoreException.class, e, () -> "wrong failure: " + e);
      assertTrue(e.getMessage().contains(store.describe()), e.getMessage());
    } finally {
      pg.startServer();
    }
    // The pool reconnects by itself; the first lease after the restart may still meet a dead pooled connection.
    Block[] leased = {null};
    Await.until(() -> {
      try {
        leased[0] = Await.result(store.lease(10));
        return true;
      } catch (SequenceStoreException retry) {
        return false;
      }
    }, 20, "a lease succeeds after the restart");
    Block after = leased[0];
    assertTrue(after.start() >= before.end(), "continues above: " + before + " then " + after);
  }

  @Test
  void wrongPasswordIsNamedAtStart() throws Exception {
    PostgresConfig bad = new PostgresConfig("127.0.0.1", pg.port(), PostgresServer.DATABASE, PostgresServer.USER,
        freshName(), 2, "disable", "", "", "not-the-password");
    Throwable e = Await.failure(PostgresSequenceStore.open(vertxes.get(0), bad, true));
    assertInstanceOf(SequenceStoreException.class, e);
    assertTrue(e.getMessage().contains("password authentication failed for user \"hellonet\""), e.getMessage());
    assertFalse(e.getMessage().contains("not-the-password"), "never the password itself: " + e.getMessage());
  }

  @Test
  void unreachableHostIsNamedAtStart() throws Exception {
    int nothingThere = ServerProcess.freePort();
    PostgresConfig bad = new PostgresConfig("127.0.0.1", nothingThere, PostgresServer.DATABASE, PostgresServer.USER,
        freshName(), 2, "disable", "", "", PostgresServer.PASSWORD);
    Throwable e = Await.failure(PostgresSequenceStore.open(vertxes.get(0), bad, true));
    assertTrue(e.getMessage().contains("cannot reach PostgreSQL at 127.0.0.1:" + nothingThere), e.getMessage());
  }

  @Test
  void missingDatabaseIsNamedAtStart() throws Exception {
    Throwable e = Await.failure(PostgresSequenceStore.open(vertxes.get(0), config("nosuchdb", freshName()), true));
    assertTrue(e.getMessage().contains("database \"nosuchdb\" does not exist"), e.getMessage());
  }

  @Test
  void sslModeRequireEncryptsTheConnection() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(pg.tls(), "the test server has no TLS (no openssl)");
    String name = freshName();
    PostgresConfig tls = new PostgresConfig("127.0.0.1", pg.port(), PostgresServer.DATABASE, PostgresServer.USER,
        name, 1, "require", "", "", PostgresServer.PASSWORD);
    SequenceStore store = open(tls);
    Await.result(store.lease(10));
    assertEquals("t", pg.psql("postgres", "SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a"
        + " USING (pid) WHERE a.application_name = 'hellonet' AND a.datname = 'hellonet'"),
        "every hellonet connection to the database is encrypted");
  }

  @Test
  void sslModeVerifyFullRefusesACertificateTheJvmDoesNotTrust() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(pg.tls(), "the test server has no TLS (no openssl)");
    PostgresConfig verify = new PostgresConfig("127.0.0.1", pg.port(), PostgresServer.DATABASE, PostgresServer.USER,
        freshName(), 1, "verify-full", "", "", PostgresServer.PASSWORD);
    Throwable e = Await.failure(PostgresSequenceStore.open(vertxes.get(0), verify, true));
    assertInstanceOf(SequenceStoreException.class, e);
    assertTrue(e.getMessage().startsWith("cannot open the sequence store postgres://hellonet@127.0.0.1:"),
        e.getMessage());
    String lower = e.getMessage().toLowerCase(java.util.Locale.ROOT);
    assertTrue(lower.contains("certif") || lower.contains("pkix") || lower.contains("ssl"),
        "the refusal is about the certificate: " + e.getMessage());
  }

  private static PostgresConfig verifying(String host, String mode, String ca) {
    return new PostgresConfig(host, pg.port(), PostgresServer.DATABASE, PostgresServer.USER, freshName(), 1, mode,
        ca, "", PostgresServer.PASSWORD);
  }

  @Test
  void sslModeVerifyFullWithTheCaFromAFileConnectsEncryptedAndChecksTheHostName() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(pg.tls(), "the test server has no TLS (no openssl)");
    String ca = pg.caCertificate().toString();
    SequenceStore store = open(verifying("127.0.0.1", "verify-full", ca));
    Await.result(store.lease(10));
    assertEquals("t", pg.psql("postgres", "SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a"
        + " USING (pid) WHERE a.application_name = 'hellonet' AND a.datname = 'hellonet'"));

    // The certificate names 127.0.0.1 only: a CA check alone accepts "localhost", the full check does not.
    open(verifying("localhost", "verify-ca", ca));
    Throwable wrongName = Await.failure(PostgresSequenceStore.open(vertxes.get(0), verifying("localhost", "verify-full", ca),
        true));
    assertInstanceOf(SequenceStoreException.class, wrongName);
    assertTrue(wrongName.getMessage().toLowerCase(java.util.Locale.ROOT).contains("localhost")
        || wrongName.getMessage().toLowerCase(java.util.Locale.ROOT).contains("certif"), wrongName.getMessage());
  }

  @Test
  void sslModeVerifyCaRefusesAServerSignedByAnotherCa() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(pg.tls(), "the test server has no TLS (no openssl)");
    try (PostgresServer other = PostgresServer.start()) {
      Throwable e = Await.failure(PostgresSequenceStore.open(vertxes.get(0),
          verifying("127.0.0.1", "verify-ca", other.caCertificate().toString()), true));
      assertInstanceOf(SequenceStoreException.class, e);
      String lower = e.getMessage().toLowerCase(java.util.Locale.ROOT);
      assertTrue(lower.contains("certif") || lower.contains("pkix") || lower.contains("ssl"), e.getMessage());
    }
  }

  @Test
  void identityIsTheDatabaseItselfNotTheHostNameThatReachesIt() throws Exception {
    String name = freshName();
    SequenceStore byAddress = open(config(PostgresServer.DATABASE, name));
    PostgresConfig byName = new PostgresConfig("localhost", pg.port(), PostgresServer.DATABASE, PostgresServer.USER,
        name, 1, "disable", "", "", PostgresServer.PASSWORD);
    SequenceStore other = open(byName);
    String identity = Await.result(byAddress.identity());

    assertTrue(identity.matches("postgres system \\d+ database oid \\d+ sequence " + name), identity);
    assertEquals(identity, Await.result(other.identity()), "two names for one database are one store");
    assertTrue(!byAddress.describe().equals(other.describe()), "though they are described differently");

    pg.createDatabase("identity_other");
    SequenceStore otherDatabase = open(config("identity_other", name));
    assertTrue(!identity.equals(Await.result(otherDatabase.identity())), "another database of the same server is not");
    SequenceStore otherName = open(config(PostgresServer.DATABASE, freshName()));
    assertTrue(!identity.equals(Await.result(otherName.identity())), "another sequence in the same database is not");
  }

  @Test
  void twoServersWithTheSameDatabaseUserAndSequenceNameAreTwoStores() throws Exception {
    String name = freshName();
    try (PostgresServer second = PostgresServer.start()) {
      SequenceStore first = open(config(PostgresServer.DATABASE, name));
      SequenceStore onSecond = open(new PostgresConfig("localhost", second.port(), PostgresServer.DATABASE,
          PostgresServer.USER, name, 1, "disable", "", "", PostgresServer.PASSWORD));
      String one = Await.result(first.identity());
      String two = Await.result(onSecond.identity());
      assertTrue(!one.equals(two), "distinct servers: " + one + " / " + two);
      assertEquals(pg.psql("postgres", "SELECT system_identifier FROM pg_control_system()"),
          one.split(" ")[2], "the identity carries the server's system identifier");

      // An administrator may have taken the function from PUBLIC: the node says which grant it needs.
      second.psql(PostgresServer.DATABASE, "REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
      Throwable e = Await.failure(onSecond.identity());
      assertInstanceOf(SequenceStoreException.class, e);
      assertTrue(e.getMessage().contains("GRANT EXECUTE ON FUNCTION pg_control_system() TO \"hellonet\""),
          e.getMessage());
      opened.remove(onSecond);
      Await.result(onSecond.close());
    }
  }
}
