package dev.hellonet.supervisor;

import dev.hellonet.testing.Await;
import dev.hellonet.testing.BurstLoad;
import dev.hellonet.testing.Http;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.Numbers;
import dev.hellonet.testing.Pipelined;
import dev.hellonet.testing.Ports;
import dev.hellonet.testing.ProcessFixture;
import dev.hellonet.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.hellonet.testing.ProcessFixture.await;
import static dev.hellonet.testing.ProcessFixture.awaitLog;
import static dev.hellonet.testing.ProcessFixture.count;
import static dev.hellonet.testing.ProcessFixture.nodes;

/**
 * A supervisor and its worker JVMs, for real: every worker binds the hello and HTTP ports itself (SO_REUSEPORT), they
 * cluster on loopback, and any of them answers the API for all. Loads are bounded in count.
 */
class SupervisedWorkersTest {
  /** Small blocks, so that the workers interleave on the shared sequence file many times. */
  private static final Map<String, String> SMALL_BLOCKS = Pipelined.SMALL_BLOCKS;

  /**
   * Slack on comparisons of the workers' clock with the test's: one clock (this host's), read at millisecond grain; a
   * little more makes the bound only looser.
   */
  private static final long CLOCK_SLACK_MS = 100;

  @TempDir
  Path dir;
  @RegisterExtension
  final ProcessFixture processes = new ProcessFixture();

  /**
   * Worker 1 is SIGKILLed while pipelined clients are connected to it and being answered. It is replaced; clients whose
   * connection the kill broke reconnect and are served (by the survivors, and new connections by the replacement too);
   * no number repeats over the whole run. Then worker 2 is stopped gracefully.
   *
   * <p>What the counters may and may not say, against C (replies the clients read). Live nodes are exact once idle.
   * The killed node's departed figures V_pub are a snapshot taken at its last publish (time t) and hold every reply
   * it counted before t; it counts a reply when it writes it, before the bytes reach the client. So:
   * <ul>
   *   <li>C - T may be positive: replies the killed node counted after t are in C (if they arrived) but not in T.
   *       Each was read by a client after t, in a round sent before the kill, so C - T is at most the replies of all
   *       rounds that ended after t and started before the kill was seen: bound {@code lostBound}. A departed node
   *       missing from the sums would break it; stale figures would widen it (t earlier), so they are checked
   *       apart: the kill comes 2 s (ten publishes) after the victim was seen to have served R, and V_pub >= R.</li>
   *   <li>T - C may be positive too: the killed node counted replies it wrote that never arrived, because the kill
   *       reset the connection and the reset destroys what the client had not read yet. Clients send a round and read
   *       it whole before sending more, so that is at most the requests outstanding on the connections that broke:
   *       bound {@code inFlightOnBroken}. Double counting (the dead node both live and departed) would break it.</li>
   * </ul>
   * Neither sign can be asserted; both bounds can, and the killed node's entry must say its figures are not final.
   * A graceful stop loses nothing: its entry is final and the totals do not move.
   */
  @Test
  void aWorkerKilledMidBurstIsReplacedNoNumberRepeatsAndTheCountersSayWhatTheKillMayHaveCost() throws Exception {
    Group group = startGroup(3);
    JsonObject victim = worker(group.http.get("/api/status").body(), 1);
    long victimPid = victim.getLong("pid");
    BurstLoad load = processes.closeAtEnd(new BurstLoad(group.hello));
    for (int c = 0; c < 12; c++) {
      load.addClient();
    }

    // Kill only once the victim holds connections of the load and has answered on them for a while. Connections
    // before the kill stay open (no turnover), so those seen on the victim are still there at the kill; should the
    // kernel have put fewer than two on it, more clients join.
    long loadStarted = System.nanoTime();
    long deadline = loadStarted + TimeUnit.SECONDS.toNanos(90);
    JsonObject onVictim;
    while (true) {
      Thread.sleep(1_000);
      assertTrue(System.nanoTime() < deadline, "the victim never held two connections of the load");
      load.assertHealthy();
      onVictim = liveNode(group.http.get("/api/counters").body(), victimPid);
      long active = onVictim == null ? 0 : hello(onVictim).getLong("connectionsActive");
      if (active >= 2 && hello(onVictim).getLong("replies") >= 10_000
          && System.nanoTime() - loadStarted >= TimeUnit.SECONDS.toNanos(5)) {
        break;
      }
      if (active < 2 && load.clients() < 36) {
        for (int c = 0; c < 3; c++) {
          load.addClient();
        }
      }
    }
    long servedBeforeDecision = hello(onVictim).getLong("replies");
    // The load goes on at full speed while the victim publishes its counters ten times over (every 200 ms): its
    // figures that survive it must hold at least what it had served when the kill was decided.
    Thread.sleep(2_000);
    ProcessHandle killed = ProcessHandle.of(victimPid).orElseThrow();
    load.killing();
    killed.destroyForcibly();
    killed.onExit().get(20, TimeUnit.SECONDS);
    long killSeenAt = System.currentTimeMillis();

    // Replaced, and the replacement serves new connections of the same load.
    JsonObject status = awaitStatus(group.http, s -> {
      JsonObject w = worker(s, 1);
      return w.getInteger("restarts") == 1 && "running".equals(w.getString("state"))
          && w.getLong("pid") != victimPid;
    });
    long replacementPid = worker(status, 1).getLong("pid");
    awaitLog(group.server, "hellonet ready", 4);
    awaitCounters(group.http, c -> {
      JsonObject r = liveNode(c, replacementPid);
      return r != null && hello(r).getLong("replies") > 0;
    });
    load.stop();

    assertTrue(load.brokenConnections() >= 1, "the kill broke connections of the load: it came mid-burst");
    load.assertBrokenClientsWereServedAgain();
    load.assertNoNumberRepeated();

    JsonObject after = awaitCounters(group.http, c -> nodes(c, "live").size() == 3
        && nodes(c, "departed").size() == 1);
    JsonObject gone = departedNode(after, victimPid);
    assertNotNull(gone, "the killed worker is listed as departed: " + after.encodePrettily());
    long clients = load.replies();
    long live = hello(after).getLong("replies");
    long departed = departedReplies(after);
    long total = live + departed;
    long lastPublish = gone.getLong("time");
    long lostBound = load.repliesInRoundsBetween(lastPublish - CLOCK_SLACK_MS, killSeenAt + CLOCK_SLACK_MS);
    long inFlightOnBroken = load.outstandingOnBrokenConnections();
    System.out.println("SupervisedWorkersTest mid-burst kill: clients read " + clients + ", counters " + total
        + " (live " + live + " + departed " + departed + "), killed worker's figures " + (killSeenAt - lastPublish)
        + " ms older than its death; " + load.brokenConnections() + " connections broken with " + inFlightOnBroken
        + " requests outstanding; replies in rounds after its last publish " + lostBound + "; victim had served "
        + servedBeforeDecision + " when the kill was decided, 2 s before it");
    assertTrue(hello(gone).getLong("replies") >= servedBeforeDecision, "the killed worker's figures are from a "
        + "publish after the kill was decided, 2 s before it: " + after.encodePrettily());
    assertFalse(gone.getBoolean("final"), "a killed worker's figures are not final: " + after.encodePrettily());
    assertFalse(after.getJsonObject("cluster").getJsonObject("departed").getBoolean("final"),
        "so the departed totals say they may be short: " + after.encodePrettily());
    assertTrue(clients - total <= lostBound, "counters short by " + (clients - total) + ", more than the replies of "
        + "every round after the killed worker's last publish (" + lostBound + "): " + after.encodePrettily());
    assertTrue(total - clients <= inFlightOnBroken, "counters over by " + (total - clients) + ", more than the "
        + inFlightOnBroken + " requests outstanding on the broken connections: " + after.encodePrettily());
    JsonObject replacement = liveNode(after, replacementPid);
    assertTrue(hello(replacement).getLong("replies") > 0, "the replacement served clients: " + after.encodePrettily());

    // A graceful stop of worker 2 (idle now): its figures are final and the totals stay exactly where they were.
    long gracefulPid = worker(group.http.get("/api/status").body(), 2).getLong("pid");
    JsonObject idle = awaitCounters(group.http, c -> nodes(c, "live").size() == 3);
    long gracefulReplies = hello(liveNode(idle, gracefulPid)).getLong("replies");
    assertTrue(gracefulReplies > 0, idle.encodePrettily());
    ProcessHandle.of(gracefulPid).orElseThrow().destroy();
    JsonObject stopped = awaitCounters(group.http, c -> departedNode(c, gracefulPid) != null);
    JsonObject left = departedNode(stopped, gracefulPid);
    assertNotNull(left, stopped.encodePrettily());
    assertTrue(left.getBoolean("final"), "a gracefully stopped worker's figures are final: " + stopped.encodePrettily());
    assertEquals(gracefulReplies, hello(left).getLong("replies"), stopped.encodePrettily());
    assertEquals(total, hello(stopped).getLong("replies") + departedReplies(stopped),
        "a graceful stop moves figures from live to departed and loses none: " + stopped.encodePrettily());
  }

  @Test
  void sigtermToTheSupervisorUnderLoadStopsEveryWorkerCleanlyWithExitZero() throws Exception {
    Group group = startGroup(2);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong replies = new AtomicLong();
    List<long[]> numbers = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Future<Void>> load = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      load.add(processes.submit(() -> {
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
    Await.until(() -> replies.get() >= 20_000 || load.stream().anyMatch(Future::isDone), 20,
        "the load reaches 20,000 replies");
    assertTrue(replies.get() > 0, "the load reached the workers");
    group.server.terminate();
    assertEquals(0, group.server.awaitExit(60), group.server.log());
    LocalDateTime exited = LocalDateTime.now();
    running.set(false);
    for (Future<Void> f : load) {
      f.get(30, TimeUnit.SECONDS);
    }
    String log = group.server.log();
    assertEquals(2, count(log, "[dev.hellonet.Main] stopped cleanly"), log);
    assertTrue(log.contains("all workers stopped cleanly"), log);
    // Once its workers are gone the supervisor has nothing left to wait for. (It once sat 10 s more in Vert.x's close,
    // which waits for virtual threads that could only end after the close returned.)
    LocalDateTime allStopped = LocalDateTime.parse(log.lines().filter(l -> l.contains("all workers stopped cleanly"))
        .findFirst().orElseThrow().substring(0, 23).replace(' ', 'T'));
    long exitMs = Duration.between(allStopped, exited).toMillis();
    assertTrue(exitMs < 8_000, "the supervisor exited " + exitMs + " ms after its workers had stopped");
    Numbers.assertUnique(numbers);
    // Workers start with -cp (no manifest), so their module access for Hazelcast comes from WorkerCommand's flags;
    // this supervisor was started without them.
    assertEquals(2, count(log, " is STARTED"), "both workers started Hazelcast:\n" + log);
    assertFalse(log.contains("Hazelcast is starting in a Java modular environment"), log);
  }

  /**
   * The race that once left a worker serving with init for a parent: the supervisor is SIGKILLed the moment it has
   * launched a replacement, before that JVM has run a line of hellonet. Every worker, the replacement included, is
   * gone soon after, and so is the supervisor's status.
   */
  @Test
  void aSupervisorKilledJustAsItRestartsAWorkerLeavesNoWorkerAndNoStatusBehind() throws Exception {
    Group group = startGroup(2);
    JsonObject status = group.http.get("/api/status").body();
    long victimPid = worker(status, 1).getLong("pid");
    ProcessHandle supervisor = ProcessHandle.of(group.server.pid()).orElseThrow();
    String line = group.server.log().lines().filter(l -> l.contains(" worker processes, status in ")).findFirst()
        .orElseThrow();
    Path statusFile = Path.of(line.substring(line.indexOf("status in ") + "status in ".length()).trim());
    assertTrue(Files.exists(statusFile), line);

    ProcessHandle.of(victimPid).orElseThrow().destroyForcibly();
    // A worker that ran for a while is restarted without delay; the kill comes as soon as the new JVM exists.
    // Polled every 5 ms, not at Await's pace: the race needs the kill within moments of the launch.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<ProcessHandle> workers;
    while (true) {
      workers = supervisor.children().filter(c -> c.pid() != victimPid).toList();
      if (workers.size() == 2) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "no replacement launched within 30 s:\n" + group.server.log());
      Thread.sleep(5);
    }
    supervisor.destroyForcibly();
    supervisor.onExit().get(10, TimeUnit.SECONDS);

    for (ProcessHandle w : workers) {
      try {
        w.onExit().get(45, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("worker " + w.pid() + " outlived its killed supervisor by 45 s, parent now "
            + w.parent().map(ProcessHandle::pid).orElse(-1L) + ":\n" + group.server.log());
      }
    }
    assertFalse(Files.exists(statusFile.getParent()), "the workers cleared the status the supervisor could not:\n"
        + group.server.log());
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
      ServerProcess server = processes.launch(dir.resolve("failing"), env);
      // Each attempt joins the loopback cluster before it reaches the bind, which takes seconds on a busy machine; the
      // doubling of the delay is BackoffTest's. Here: the failure is seen, said, and answered with a delayed restart.
      Await.until(() -> server.log().contains("worker 0: restarting in 250 ms"), 180,
          () -> "a restart with back-off:\n" + server.log());
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

  private Group startGroup(int workers) throws Exception {
    int http = ServerProcess.freePort();
    Map<String, String> env = new HashMap<>(SMALL_BLOCKS);
    env.putAll(Map.of(
        "HELLONET_HELLO_PROCESSES", Integer.toString(workers),
        "HELLONET_HELLO_INSTANCES", "1",
        "HELLONET_HTTP_INSTANCES", "1",
        "HELLONET_CRAWLER_INSTANCES", "1",
        "HELLONET_HTTP_PORT", Integer.toString(http),
        "HELLONET_CLUSTER_PORT", Integer.toString(Ports.freeRange(workers)),
        "HELLONET_COUNTERS_PUBLISHINTERVALMS", "200",
        "HELLONET_SHUTDOWN_TIMEOUTMS", "5000",
        "HELLONET_SEQUENCE_FILE", dir.resolve("sequence").toString()));
    ServerProcess server = processes.launch(dir.resolve("group"), env);
    awaitLog(server, "hellonet ready", workers);
    Group group = new Group(server, server.port(), new Http(http));
    awaitCounters(group.http, c -> nodes(c, "live").size() == workers);
    return group;
  }

  private static JsonObject awaitCounters(Http http, Predicate<JsonObject> done) throws Exception {
    return await(http, "/api/counters", done);
  }

  private static JsonObject awaitStatus(Http http, Predicate<JsonObject> done) throws Exception {
    return await(http, "/api/status", done);
  }

  private static JsonObject worker(JsonObject status, int index) {
    return status.getJsonObject("supervisor").getJsonArray("workers").getJsonObject(index);
  }

  /** The live node entry of the worker with this pid in /api/counters, or null. */
  private static JsonObject liveNode(JsonObject counters, long pid) {
    return node(counters, "live", pid);
  }

  /** The departed node entry of the worker with this pid in /api/counters, or null. */
  private static JsonObject departedNode(JsonObject counters, long pid) {
    return node(counters, "departed", pid);
  }

  private static JsonObject node(JsonObject counters, String state, long pid) {
    return nodes(counters, state).stream().map(JsonObject.class::cast)
        .filter(n -> String.valueOf(n.getString("node")).startsWith(pid + "@")).findFirst().orElse(null);
  }

  /** The hello role's totals of a counters reply or of one of its node entries (empty if it has none). */
  private static JsonObject hello(JsonObject counters) {
    JsonObject role = counters.getJsonObject("hello");
    return role == null ? new JsonObject().put("replies", 0L).put("connectionsActive", 0L)
        : role.getJsonObject("total");
  }

  /** The replies counted by departed nodes (none: 0). */
  private static long departedReplies(JsonObject counters) {
    return hello(counters.getJsonObject("cluster").getJsonObject("departed")).getLong("replies");
  }
}
