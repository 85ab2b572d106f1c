package dev.hellonet.supervisor;

import dev.hellonet.testing.Http;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.Ports;
import dev.hellonet.testing.ServerProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A supervisor and its worker JVMs, for real: every worker binds the hello and HTTP ports itself (SO_REUSEPORT), they
 * cluster on loopback, and any of them answers the API for all. Loads are bounded in count.
 */
class SupervisedWorkersTest {
  /** Small blocks, so that the workers interleave on the shared sequence file many times. */
  private static final Map<String, String> SMALL_BLOCKS = Map.of(
      "HELLONET_SEQUENCE_MINBLOCK", "16", "HELLONET_SEQUENCE_MAXBLOCK", "256");

  @TempDir
  Path dir;
  private final List<ServerProcess> servers = new ArrayList<>();
  private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void cleanUp() throws Exception {
    clients.shutdownNow();
    for (ServerProcess s : servers) {
      s.close();
    }
  }

  @Test
  void aKilledWorkerIsReplacedAndNoNumberRepeatsNorAnyCountIsLost() throws Exception {
    Group group = startGroup(3);
    List<long[]> numbers = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicLong replies = new AtomicLong();

    // Phase 1: pipelined load over fresh connections, spread by the kernel over the three listening sockets.
    runLoad(group.hello, 12, 15, 4, 50, numbers, replies);
    JsonObject before = group.http.get("/api/counters").body();
    JsonArray liveBefore = nodes(before, "live");
    assertEquals(3, liveBefore.size(), before.encodePrettily());
    for (Object node : liveBefore) {
      assertTrue(((JsonObject) node).getJsonObject("hello").getJsonObject("total").getLong("connectionsAccepted") > 0,
          "every worker took connections: " + before.encodePrettily());
    }

    // The killed worker's figures survive it as last published; wait for a publish after the load.
    Thread.sleep(1_000);
    JsonObject victim = worker(group.http.get("/api/status").body(), 1);
    ProcessHandle killed = ProcessHandle.of(victim.getLong("pid")).orElseThrow();
    killed.destroyForcibly();
    killed.onExit().get(20, TimeUnit.SECONDS);

    // Phase 2: load while the worker is missing and being replaced; connections go to the survivors meanwhile.
    runLoad(group.hello, 8, 10, 2, 50, numbers, replies);
    JsonObject status = awaitStatus(group.http, s -> {
      JsonObject w = worker(s, 1);
      return w.getInteger("restarts") == 1 && "running".equals(w.getString("state"))
          && w.getLong("pid") != victim.getLong("pid").longValue();
    });
    awaitReady(group.server, 4);
    // Phase 3: enough fresh connections that the replacement surely gets some.
    runLoad(group.hello, 8, 25, 1, 20, numbers, replies);

    assertNoDuplicates(numbers);
    Thread.sleep(500);
    JsonObject after = awaitCounters(group.http, c -> nodes(c, "live").size() == 3);
    long live = after.getJsonObject("hello").getJsonObject("total").getLong("replies");
    long departed = after.getJsonObject("cluster").getJsonObject("departed").getJsonObject("hello")
        .getJsonObject("total").getLong("replies");
    assertEquals(replies.get(), live + departed, "counters (live " + live + " + departed " + departed
        + ") equal what the clients counted: " + after.encodePrettily());
    assertEquals(1, nodes(after, "departed").size(), after.encodePrettily());
    Set<String> oldIds = new HashSet<>();
    liveBefore.forEach(n -> oldIds.add(((JsonObject) n).getString("id")));
    JsonObject replacement = nodes(after, "live").stream().map(JsonObject.class::cast)
        .filter(n -> !oldIds.contains(n.getString("id"))).findFirst().orElseThrow();
    assertTrue(replacement.getJsonObject("hello").getJsonObject("total").getLong("replies") > 0,
        "the replacement served clients: " + after.encodePrettily());
    assertEquals(1, worker(status, 1).getInteger("restarts"));
  }

  @Test
  void sigtermToTheSupervisorUnderLoadStopsEveryWorkerCleanlyWithExitZero() throws Exception {
    Group group = startGroup(2);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong replies = new AtomicLong();
    List<long[]> numbers = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Future<Void>> load = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      load.add(clients.submit(() -> {
        // Rounds of 50 pipelined requests until the server closes; each round is answered whole or the server has
        // closed at a reply boundary, never mid-reply.
        try (LineClient client = LineClient.connect(group.hello)) {
          for (int round = 0; round < 2_000 && running.get(); round++) {
            client.send(LineClient.requests(50));
            long[] got = new long[50];
            for (int i = 0; i < 50; i++) {
              got[i] = client.readNumber();
              replies.incrementAndGet();
            }
            numbers.add(got);
          }
        } catch (java.net.SocketException reset) {
          // the worker closed with requests it never read still in its socket: the kernel resets; fine
        } catch (IOException closed) {
          // The stream may end only between replies: a reply cut in half would be a request read and not answered.
          if (!"malformed reply: expected 'H' but got end of stream".equals(closed.getMessage())) {
            throw closed;
          }
        }
        return null;
      }));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (replies.get() < 20_000 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(replies.get() > 0, "the load reached the workers");
    group.server.terminate();
    assertEquals(0, group.server.awaitExit(60), group.server.log());
    running.set(false);
    for (Future<Void> f : load) {
      f.get(30, TimeUnit.SECONDS);
    }
    String log = group.server.log();
    assertEquals(2, count(log, "[dev.hellonet.Main] stopped cleanly"), log);
    assertTrue(log.contains("all workers stopped cleanly"), log);
    assertNoDuplicates(numbers);
    // Workers start with -cp (no manifest), so their module access for Hazelcast comes from WorkerCommand's flags;
    // this supervisor was started without them.
    assertEquals(2, count(log, " is STARTED"), "both workers started Hazelcast:\n" + log);
    assertFalse(log.contains("Hazelcast is starting in a Java modular environment"), log);
  }

  @Test
  void aWorkerThatCannotStartIsRestartedAfterABackoffAndTheStopSaysSo() throws Exception {
    // The hello port is taken by a socket without SO_REUSEPORT, so no worker can bind it.
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Map<String, String> env = new HashMap<>(Map.of(
          "HELLONET_HELLO_PROCESSES", "2",
          "HELLONET_HELLO_PORT", Integer.toString(taken.getLocalPort()),
          "HELLONET_HELLO_INSTANCES", "1",
          "HELLONET_HTTP_INSTANCES", "1",
          "HELLONET_CRAWLER_INSTANCES", "1",
          "HELLONET_HTTP_PORT", Integer.toString(ServerProcess.freePort()),
          "HELLONET_CLUSTER_PORT", Integer.toString(Ports.freeRange(2)),
          "HELLONET_SEQUENCE_FILE", dir.resolve("sequence").toString()));
      ServerProcess server = ServerProcess.launch(dir.resolve("failing"), env);
      servers.add(server);
      // Each attempt joins the loopback cluster before it reaches the bind, which takes seconds on a busy machine; the
      // doubling of the delay is BackoffTest's. Here: the failure is seen, said, and answered with a delayed restart.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (!server.log().contains("worker 0: restarting in 250 ms")) {
        assertTrue(System.nanoTime() < deadline, "no restart with back-off within 180 s:\n" + server.log());
        Thread.sleep(100);
      }
      String log = server.log();
      assertTrue(log.contains("Address already in use"), "the worker says why it cannot start:\n" + log);
      assertTrue(log.indexOf("exited with 1") < log.indexOf("worker 0: restarting in 250 ms"), log);
      server.terminate();
      assertEquals(1, server.awaitExit(60), "workers that never stopped cleanly make the exit code 1:\n"
          + server.log());
      assertTrue(server.log().contains("some did not stop cleanly"), server.log());
    }
  }

  private record Group(ServerProcess server, int hello, Http http) {}

  private Group startGroup(int processes) throws Exception {
    int http = ServerProcess.freePort();
    Map<String, String> env = new HashMap<>(SMALL_BLOCKS);
    env.putAll(Map.of(
        "HELLONET_HELLO_PROCESSES", Integer.toString(processes),
        "HELLONET_HELLO_INSTANCES", "1",
        "HELLONET_HTTP_INSTANCES", "1",
        "HELLONET_CRAWLER_INSTANCES", "1",
        "HELLONET_HTTP_PORT", Integer.toString(http),
        "HELLONET_CLUSTER_PORT", Integer.toString(Ports.freeRange(processes)),
        "HELLONET_COUNTERS_PUBLISHINTERVALMS", "200",
        "HELLONET_SHUTDOWN_TIMEOUTMS", "5000",
        "HELLONET_SEQUENCE_FILE", dir.resolve("sequence").toString()));
    ServerProcess server = ServerProcess.launch(dir.resolve("group"), env);
    servers.add(server);
    awaitReady(server, processes);
    Group group = new Group(server, server.port(), new Http(http));
    awaitCounters(group.http, c -> nodes(c, "live").size() == processes);
    return group;
  }

  /** Waits until the shared log shows {@code count} workers ready. */
  private static void awaitReady(ServerProcess server, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (count(server.log(), "hellonet ready") < count) {
      assertTrue(System.nanoTime() < deadline, "workers not ready within 120 s:\n" + server.log());
      Thread.sleep(100);
    }
  }

  private static JsonObject awaitCounters(Http http, Predicate<JsonObject> done) throws Exception {
    return await(http, "/api/counters", done);
  }

  private static JsonObject awaitStatus(Http http, Predicate<JsonObject> done) throws Exception {
    return await(http, "/api/status", done);
  }

  private static JsonObject await(Http http, String path, Predicate<JsonObject> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      try {
        Http.Reply reply = http.get(path);
        if (reply.status() == 200) {
          last = reply.body();
          if (done.test(last)) {
            return last;
          }
        }
      } catch (IOException notNow) {
        // a worker going down under this connection; ask again
      }
      Thread.sleep(200);
    }
    throw new AssertionError(path + " never reached the expected state; last: "
        + (last == null ? null : last.encodePrettily()));
  }

  private static JsonObject worker(JsonObject status, int index) {
    return status.getJsonObject("supervisor").getJsonArray("workers").getJsonObject(index);
  }

  private static JsonArray nodes(JsonObject counters, String state) {
    JsonArray out = new JsonArray();
    counters.getJsonObject("cluster").getJsonArray("nodes").forEach(n -> {
      if (state.equals(((JsonObject) n).getString("state"))) {
        out.add(n);
      }
    });
    return out;
  }

  /**
   * {@code clients} clients, each opening {@code connections} connections in turn and on each sending
   * {@code rounds} x {@code perRound} pipelined requests; a connection refused or reset (a worker just killed) is
   * retried on a new one. Every number read is kept; every reply read is counted.
   */
  private void runLoad(int port, int clients, int connections, int rounds, int perRound, List<long[]> numbers,
                       AtomicLong replies) throws Exception {
    List<Future<Void>> load = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      load.add(this.clients.submit(() -> {
        int done = 0;
        int failures = 0;
        while (done < connections) {
          try (LineClient client = LineClient.connect(port)) {
            for (int r = 0; r < rounds; r++) {
              client.send(LineClient.requests(perRound));
              long[] got = new long[perRound];
              int read = 0;
              try {
                for (; read < perRound; read++) {
                  got[read] = client.readNumber();
                }
              } finally {
                numbers.add(Arrays.copyOf(got, read));
                replies.addAndGet(read);
              }
            }
            done++;
          } catch (IOException e) {
            assertTrue(++failures < 50, "too many failed connections: " + e);
            Thread.sleep(50);
          }
        }
        return null;
      }));
    }
    for (Future<Void> f : load) {
      f.get(120, TimeUnit.SECONDS);
    }
  }

  private static void assertNoDuplicates(List<long[]> batches) {
    long[] all = batches.stream().flatMapToLong(Arrays::stream).toArray();
    Arrays.sort(all);
    for (int i = 1; i < all.length; i++) {
      assertNotEquals(all[i], all[i - 1], "duplicate number " + all[i]);
    }
    assertTrue(all.length > 0);
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
