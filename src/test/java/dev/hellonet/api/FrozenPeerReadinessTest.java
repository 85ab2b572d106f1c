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
 * timeout. And when one of its own checks fails, it says so with 503.
 */
class FrozenPeerReadinessTest {
  /** Longer than the cluster manager takes to drop a silent member, so the whole time before it does is covered. */
  private static final long FREEZE_MS = 20_000;
  /** The readiness probe's timeoutSeconds in k8s/deployment.yaml. */
  private static final long PROBE_TIMEOUT_MS = 3_000;
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
    signal("STOP", b.pid());
    try {
      long start = System.nanoTime();
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(FREEZE_MS)) {
        long asked = System.nanoTime();
        Http.Reply reply = httpA.get("/health/ready");
        probes.add(new Probe((asked - start) / 1_000_000, reply.status(), (System.nanoTime() - asked) / 1_000_000,
            reply.body().encode()));
        Thread.sleep(250);
      }
    } finally {
      signal("CONT", b.pid());
    }
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
