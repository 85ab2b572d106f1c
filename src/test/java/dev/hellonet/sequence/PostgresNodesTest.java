package dev.hellonet.sequence;

import dev.hellonet.testing.Await;
import dev.hellonet.testing.Pipelined;
import dev.hellonet.testing.Pipelined.Seen;
import dev.hellonet.testing.PostgresExtension;
import dev.hellonet.testing.PostgresServer;
import dev.hellonet.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hellonet nodes in separate JVMs on one real PostgreSQL: concurrent pipelined load across two and three nodes, the
 * database stopped under load and started again, SIGKILL and restart, and a refused password at start.
 */
class PostgresNodesTest {
  /** Small blocks force many leases, so the nodes really interleave on the row (and run dry fast in an outage). */
  private static final Map<String, String> SMALL_BLOCKS = Pipelined.SMALL_BLOCKS;
  private static final AtomicInteger names = new AtomicInteger();
  @RegisterExtension
  static final PostgresExtension postgres = new PostgresExtension();

  @TempDir
  Path dir;
  private final List<ServerProcess> nodes = new ArrayList<>();
  private final Map<ServerProcess, Integer> httpPorts = new java.util.concurrent.ConcurrentHashMap<>();
  private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void stopNodes() throws Exception {
    clients.shutdownNow();
    for (ServerProcess node : nodes) {
      node.close();
    }
  }

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {2, 3})
  void nodesUnderConcurrentPipelinedLoadNeverRepeatANumberAndKeepPerConnectionOrder(int count) throws Exception {
    String name = "cluster-" + names.incrementAndGet();
    List<ServerProcess> cluster = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      cluster.add(start("node" + i, name, SMALL_BLOCKS));
    }
    List<Future<Seen>> results = new ArrayList<>();
    int connections = 4 * count;
    for (int c = 0; c < connections; c++) {
      int port = cluster.get(c % count).port();
      results.add(clients.submit(() -> Pipelined.rounds(port, 40, 100, new Pipelined.Load())));
    }
    List<Seen> seen = collect(results);
    long total = seen.stream().mapToLong(s -> s.numbers().length).sum();
    assertEquals((long) connections * 40 * 100, total);
    assertEquals(0, seen.stream().mapToInt(Seen::unavailable).sum());
    long max = Pipelined.assertUniqueAndOrdered(seen);
    long mark = Long.parseLong(postgres.server().psql(PostgresServer.DATABASE,
        "SELECT high_water FROM hellonet_sequence WHERE name = '" + name + "'"));
    assertTrue(mark > max, "every number sent was leased in the database: mark " + mark + ", max " + max);
  }

  @Test
  void databaseStoppedUnderLoadGivesErrUnavailableAndNotReadyThenRecoversWithoutRepeatingANumber() throws Exception {
    String name = "outage-" + names.incrementAndGet();
    List<ServerProcess> cluster = List.of(start("a", name, SMALL_BLOCKS), start("b", name, SMALL_BLOCKS));
    Pipelined.Load clientsLoad = new Pipelined.Load();
    List<Future<Seen>> load = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      int port = cluster.get(c % 2).port();
      load.add(clients.submit(() -> Pipelined.rounds(port, Integer.MAX_VALUE, 50, clientsLoad)));
    }
    try {
      Await.until(() -> clientsLoad.numbers.get() > 5_000, 20, "load reaches the nodes");
      for (ServerProcess node : cluster) {
        assertEquals(200, ready(node), "ready before the outage");
      }
      postgres.server().stopImmediately();
      long stoppedAt = System.nanoTime();
      boolean restarted = false;
      try {
        // Held blocks run dry within moments at this rate; then ERR unavailable, and readiness turns false.
        Await.until(() -> clientsLoad.unavailable.get() > 0, 10, "requests answered ERR unavailable during the outage");
        for (ServerProcess node : cluster) {
          Await.until(() -> ready(node) == 503, 10, "node not ready during the outage");
          JsonObject sequence = status(node).getJsonObject("sequence");
          assertEquals(false, sequence.getBoolean("healthy"), sequence.encode());
          assertTrue(sequence.getInteger("exhaustedInstances") > 0, sequence.encode());
        }
        long downFor = TimeUnit.SECONDS.toNanos(4) - (System.nanoTime() - stoppedAt);
        if (downFor > 0) {
          Thread.sleep(TimeUnit.NANOSECONDS.toMillis(downFor));
        }
        postgres.server().startServer();
        restarted = true;
      } finally {
        if (!restarted) {
          postgres.server().startServer();
        }
      }
      long numbersAtRestart = clientsLoad.numbers.get();
      for (ServerProcess node : cluster) {
        Await.until(() -> ready(node) == 200, 20, "node ready again after the database returns");
      }
      Await.until(() -> clientsLoad.numbers.get() > numbersAtRestart + 5_000, 20, "numbers flow again");
      JsonObject sequence = status(cluster.get(0)).getJsonObject("sequence");
      assertTrue(sequence.getBoolean("healthy"), sequence.encode());
      assertTrue(sequence.getLong("withoutStoreMs") >= 1_000, "time without a store is counted: " + sequence);
      assertTrue(sequence.getLong("leaseFailures") >= 1, sequence.encode());
    } finally {
      clientsLoad.running.set(false);
    }
    List<Seen> seen = collect(load);
    assertTrue(seen.stream().mapToInt(Seen::unavailable).sum() > 0);
    Pipelined.assertUniqueAndOrdered(seen);
  }

  @Test
  void afterSigkillUnderLoadARestartedNodeSendsOnlyNumbersAboveEverythingSentBefore() throws Exception {
    String name = "kill-" + names.incrementAndGet();
    Pipelined.assertRestartAfterSigkillUnderLoadSendsOnlyHigherNumbers(node -> start(node, name, SMALL_BLOCKS));
  }

  /**
   * The database itself crashes under load: its postmaster and every backend SIGKILLed at once, fsync on, as PostgreSQL
   * runs in production. The nodes ride out the outage (blocks they hold, then ERR unavailable) and lease again once
   * crash recovery is done; a lease is answered only after its commit is durable, so recovery brings back a mark above
   * every number handed out, and no number repeats over the whole run, nor from a node started after the crash.
   */
  @Test
  void postmasterSigkilledUnderLoadWithFsyncOnComesBackAboveEveryNumberAndNoneRepeats() throws Exception {
    try (PostgresServer durable = PostgresServer.startDurable()) {
      String name = "crash-" + names.incrementAndGet();
      List<ServerProcess> cluster = List.of(start(durable, "crash-a", name, SMALL_BLOCKS),
          start(durable, "crash-b", name, SMALL_BLOCKS));
      Pipelined.Load clientsLoad = new Pipelined.Load();
      List<Future<Seen>> load = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int port = cluster.get(c % 2).port();
        load.add(clients.submit(() -> Pipelined.rounds(port, Integer.MAX_VALUE, 50, clientsLoad)));
      }
      long numbersAtRestart;
      try {
        Await.until(() -> clientsLoad.numbers.get() > 5_000, 20, "load reaches the nodes");
        durable.killPostmaster();
        // Down until the nodes have run dry, so that every one of them leases again from what recovery brings back.
        Await.until(() -> clientsLoad.unavailable.get() > 0, 20,
            "requests answered ERR unavailable while the database is down");
        durable.startServer();
        numbersAtRestart = clientsLoad.numbers.get();
        for (ServerProcess node : cluster) {
          Await.until(() -> ready(node) == 200, 30, "node ready again after crash recovery");
        }
        Await.until(() -> clientsLoad.numbers.get() > numbersAtRestart + 5_000, 30, "numbers flow again");
      } finally {
        clientsLoad.running.set(false);
      }
      List<Seen> seen = collect(load);
      assertTrue(durable.log().contains("database system was interrupted"), "crash recovery ran:\n" + durable.log());
      long max = Pipelined.assertUniqueAndOrdered(seen);
      long mark = Long.parseLong(durable.psql(PostgresServer.DATABASE,
          "SELECT high_water FROM hellonet_sequence WHERE name = '" + name + "'"));
      assertTrue(mark > max, "every number sent was durably leased: mark after recovery " + mark + ", max " + max);
      Seen late = Pipelined.rounds(start(durable, "crash-late", name, SMALL_BLOCKS).port(), 10, 100,
          new Pipelined.Load());
      List<Seen> whole = new ArrayList<>(seen);
      whole.add(late);
      Pipelined.assertUniqueAndOrdered(whole);
    }
  }

  @Test
  void wrongPasswordStopsTheStartSayingSo() throws Exception {
    Map<String, String> env = new HashMap<>(postgres.server().nodeEnvironment("badpw"));
    env.put("HELLONET_SEQUENCE_POSTGRES_PASSWORD", "not-the-password");
    ServerProcess node = ServerProcess.launch(dir.resolve("badpw"), env);
    nodes.add(node);
    assertEquals(1, node.awaitExit(60), node.log());
    assertTrue(node.log().contains("password authentication failed for user \"hellonet\""), node.log());
    assertTrue(!node.log().contains("not-the-password"), "the password is never logged:\n" + node.log());
  }

  private ServerProcess start(String nodeName, String sequenceName, Map<String, String> extra) throws Exception {
    return start(postgres.server(), nodeName, sequenceName, extra);
  }

  private ServerProcess start(PostgresServer pg, String nodeName, String sequenceName, Map<String, String> extra)
      throws Exception {
    Map<String, String> env = new HashMap<>(pg.nodeEnvironment(sequenceName));
    env.putAll(extra);
    env.put("HELLONET_HTTP_PORT", Integer.toString(ServerProcess.freePort()));
    env.put("HELLONET_HELLO_DEFERACCEPTSECONDS", "0");
    ServerProcess node = ServerProcess.start(dir.resolve(nodeName), env);
    httpPorts.put(node, Integer.parseInt(env.get("HELLONET_HTTP_PORT")));
    nodes.add(node);
    return node;
  }

  private static List<Seen> collect(List<Future<Seen>> results) throws Exception {
    List<Seen> out = new ArrayList<>();
    for (Future<Seen> f : results) {
      out.add(f.get(90, TimeUnit.SECONDS));
    }
    return out;
  }

  private int ready(ServerProcess node) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort(node) + "/health/ready"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  private JsonObject status(ServerProcess node) throws Exception {
    return new JsonObject(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort(node)
        + "/api/status")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  private int httpPort(ServerProcess node) {
    return httpPorts.get(node);
  }
}
