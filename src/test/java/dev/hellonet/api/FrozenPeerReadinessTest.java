package dev.hellonet.api;

import dev.hellonet.testing.Http;
import dev.hellonet.testing.NeededTool;
import dev.hellonet.testing.ProcessFixture;
import dev.hellonet.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.hellonet.testing.ProcessFixture.await;
import static dev.hellonet.testing.ProcessFixture.awaitLog;
import static dev.hellonet.testing.ProcessFixture.nodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two clustered nodes in their own JVMs, one frozen with SIGSTOP as a long GC pause or a stalled host would: the
 * other's readiness is about itself alone, so it stays ready the whole time, answering within the Deployment's probe
 * timeout, and its cluster-wide reads (counters, the crawl list) answer in bounded time, naming the frozen node. And
 * when one of its own checks fails, it says so with 503.
 */
class FrozenPeerReadinessTest {
  /** Longer than the cluster manager takes to drop a silent member, so the whole time before it does is covered. */
  private static final long FREEZE_MS = 20_000;
  /** The readiness probe's timeoutSeconds in k8s/deployment.yaml. */
  private static final long PROBE_TIMEOUT_MS = 3_000;
  /** What a client of the API waits for a cluster-wide read: the pod harness's 5 s, less a margin for a busy machine. */
  private static final long READ_TIMEOUT_MS = 4_500;
  /** The drain of node A's graceful stop: the time during which it answers "not ready" while still serving. */
  private static final String DRAIN_MS = "5000";

  @TempDir
  Path dir;
  @RegisterExtension
  final ProcessFixture processes = new ProcessFixture();

  private record Probe(long atMs, int status, long tookMs, String body) {}

  @Test
  void aFrozenPeerLeavesThisNodeReadyAndAFailingCheckAnswers503() throws Exception {
    int[] clusterPorts = {ServerProcess.freePort(), ServerProcess.freePort()};
    String members = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1];
    int[] httpPorts = {ServerProcess.freePort(), ServerProcess.freePort()};
    Map<String, String> envA = ProcessFixture.clusterNode(members, clusterPorts[0], httpPorts[0],
        dir.resolve("sequence"));
    envA.put("HELLONET_SHUTDOWN_DRAINDELAYMS", DRAIN_MS);
    ServerProcess a = processes.launch(dir.resolve("a"), envA);
    ServerProcess b = processes.launch(dir.resolve("b"), ProcessFixture.clusterNode(members, clusterPorts[1],
        httpPorts[1], dir.resolve("sequence")));
    awaitLog(a, "hellonet ready", 1);
    awaitLog(b, "hellonet ready", 1);
    Http httpA = new Http(httpPorts[0]);
    await(httpA, "/api/counters", c -> nodes(c, "live").size() == 2);
    assertEquals(200, httpA.get("/health/ready").status(), "ready before the freeze");

    List<Probe> probes = new ArrayList<>();
    List<Probe> reads = new ArrayList<>();
    signal("STOP", b.pid());
    try {
      long start = System.nanoTime();
      // The cluster-wide reads beside the probes, in a thread of their own: each may take its 2 s per-node bound.
      Thread reader = Thread.ofVirtual().start(() -> readWhileFrozen(httpA, start, reads));
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(FREEZE_MS)) {
        long asked = System.nanoTime();
        Http.Reply reply = httpA.get("/health/ready");
        probes.add(new Probe((asked - start) / 1_000_000, reply.status(), (System.nanoTime() - asked) / 1_000_000,
            reply.body().encode()));
        Thread.sleep(250);
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
    } finally {
      signal("CONT", b.pid());
    }
    // /api/counters and /api/crawls answer within a client's patience (the pod harness allows 5 s), naming the frozen
    // node once it does not answer rather than waiting for the cluster manager to drop it.
    List<Probe> slowReads = reads.stream().filter(p -> p.status() != 200 || p.tookMs() >= READ_TIMEOUT_MS).toList();
    System.out.println("FrozenPeerReadinessTest: " + reads.size() + " API reads of node A while B was frozen; slowest "
        + reads.stream().mapToLong(Probe::tookMs).max().orElse(-1) + " ms; failed or too slow: " + slowReads.size());
    assertTrue(slowReads.isEmpty(), "node A's cluster-wide reads must answer within " + READ_TIMEOUT_MS + " ms while "
        + "its peer is frozen; " + slowReads.size() + " of " + reads.size() + " did not: " + slowReads);
    assertTrue(reads.stream().anyMatch(p -> p.body().contains("\"unreachable\"")),
        "a read names the frozen node unreachable: " + reads);
    List<Probe> bad = probes.stream().filter(p -> p.status() != 200 || p.tookMs() >= PROBE_TIMEOUT_MS).toList();
    long slowest = probes.stream().mapToLong(Probe::tookMs).max().orElse(-1);
    System.out.println("FrozenPeerReadinessTest: " + probes.size() + " probes of node A while B was frozen for "
        + FREEZE_MS + " ms; slowest " + slowest + " ms; not ready or too slow: " + bad.size());
    assertTrue(bad.isEmpty(), "node A must stay ready, answering within " + PROBE_TIMEOUT_MS + " ms, while its peer "
        + "is frozen; " + bad.size() + " of " + probes.size() + " probes were not: " + bad);
    // One probe every 250 ms plus its time: a probe that waited would have made far fewer.
    assertTrue(probes.size() >= FREEZE_MS / 1_000, probes.size() + " probes in " + FREEZE_MS + " ms");

    // A check that fails, for real: the graceful stop's drain, during which the node still serves but says it is not
    // ready. The answer is 503, naming the check.
    a.terminate();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(DRAIN_MS) / 1_000 + 30);
    Http.Reply notReady = null;
    while (notReady == null && System.nanoTime() < deadline) {
      try {
        Http.Reply reply = httpA.get("/health/ready");
        if (reply.status() != 200) {
          notReady = reply;
        }
      } catch (IOException closed) {
        throw new AssertionError("node A stopped listening before it said it was not ready:\n" + a.log(), closed);
      }
      Thread.sleep(50);
    }
    assertTrue(notReady != null, "node A never said it was not ready during its drain:\n" + a.log());
    assertEquals(503, notReady.status(), notReady.body().encodePrettily());
    JsonObject accepting = notReady.body().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> "accepting".equals(c.getString("id"))).findFirst().orElseThrow();
    assertEquals("DOWN", accepting.getString("status"), notReady.body().encodePrettily());
    assertEquals(0, a.awaitExit(60), a.log());
  }

  /** GET /api/counters and /api/crawls in turn for the freeze; a failure to connect is a read that failed. */
  private static void readWhileFrozen(Http http, long start, List<Probe> reads) {
    String[] paths = {"/api/counters", "/api/crawls"};
    for (int i = 0; System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(FREEZE_MS); i++) {
      long asked = System.nanoTime();
      String path = paths[i % paths.length];
      Probe read;
      try {
        Http.Reply reply = http.get(path);
        read = new Probe((asked - start) / 1_000_000, reply.status(), (System.nanoTime() - asked) / 1_000_000,
            path + " " + reply.body().encode());
      } catch (IOException | InterruptedException e) {
        read = new Probe((asked - start) / 1_000_000, -1, (System.nanoTime() - asked) / 1_000_000, path + " " + e);
      }
      synchronized (reads) {
        reads.add(read);
      }
    }
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill;
    try {
      kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      NeededTool.missing("kill (Debian: apt-get install procps) is not installed: " + notInstalled.getMessage());
      throw notInstalled;
    }
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -" + signal + " " + pid);
    assertEquals(0, kill.exitValue(), "kill -" + signal + " " + pid + ": "
        + new String(kill.getInputStream().readAllBytes()));
  }
}
