package dev.hellonet.cluster;

import dev.hellonet.testing.Http;
import dev.hellonet.testing.ProcessFixture;
import dev.hellonet.testing.ServerProcess;
import dev.hellonet.testing.SlowSite;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.hellonet.testing.ProcessFixture.assertNoDuplicates;
import static dev.hellonet.testing.ProcessFixture.await;
import static dev.hellonet.testing.ProcessFixture.awaitLog;
import static dev.hellonet.testing.ProcessFixture.get;
import static dev.hellonet.testing.ProcessFixture.nodes;
import static dev.hellonet.testing.ProcessFixture.rounds;

/**
 * Three clustered nodes in separate JVMs on loopback (JGroups TCPPING members with mutual TLS, distinct ports, one sequence file):
 * the counters sum every node, a crawl started on one node is read and cancelled on another, and a node killed with
 * SIGKILL leaves the sums within the stated bound while the others keep serving.
 */
class ClusterNodesTest {
  /** What docs/scaling.md states: JGroups' bound for a dead member plus time for the others to agree. */
  private static final long LEAVE_BOUND_MS = ClusterStack.DEAD_MEMBER_BOUND_MS + 10_000L;

  @TempDir
  Path dir;
  @RegisterExtension
  final ProcessFixture processes = new ProcessFixture();
  private final List<ServerProcess> nodes = new ArrayList<>();

  @Test
  void threeNodesShareCountersAndCrawlsAndAKilledNodeLeavesTheSums() throws Exception {
    int[] clusterPorts = {ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort()};
    String members = Arrays.stream(clusterPorts).mapToObj(p -> "127.0.0.1:" + p)
        .reduce((a, b) -> a + "," + b).orElseThrow();
    Http[] http = new Http[3];
    for (int i = 0; i < 3; i++) {
      int httpPort = ServerProcess.freePort();
      Map<String, String> env = ProcessFixture.clusterNode(members, clusterPorts[i], httpPort, dir.resolve("sequence"));
      env.put("HELLONET_CRAWLER_INSTANCES", "2");
      env.put("HELLONET_CRAWLER_ALLOW", "127.0.0.0/8,::1/128");   // the crawl below reads a site on loopback
      env.put("HELLONET_SEQUENCE_MINBLOCK", "16");
      env.put("HELLONET_SEQUENCE_MAXBLOCK", "256");
      nodes.add(processes.launch(dir.resolve("node" + i), env));
      http[i] = new Http(httpPort);
    }
    for (ServerProcess node : nodes) {
      awaitLog(node, "hellonet ready", 1);
    }
    JsonObject counters = await(http[0], "/api/counters", c -> nodes(c, "live").size() == 3);

    // Load through all three at once; every reply counted by the clients.
    List<Future<long[]>> load = new ArrayList<>();
    for (int c = 0; c < 12; c++) {
      int port = nodes.get(c % 3).port();
      load.add(processes.submit(() -> rounds(port, 20, 100)));
    }
    long[] all = load.stream().flatMapToLong(f -> Arrays.stream(get(f))).toArray();
    assertNoDuplicates(all);
    counters = http[1].get("/api/counters").body();
    assertEquals(all.length, counters.getJsonObject("hello").getJsonObject("total").getLong("replies"),
        counters.encodePrettily());
    for (Object n : nodes(counters, "live")) {
      assertEquals(4 * 20 * 100, ((JsonObject) n).getJsonObject("hello").getJsonObject("total").getLong("replies"));
    }

    // A crawl started on node 1 is read and cancelled through node 3, and listed on node 2.
    try (SlowSite site = new SlowSite()) {
      Http.Reply started = http[0].post("/api/crawls", new JsonObject()
          .put("urls", new JsonArray().add(site.url("/slow/1"))));
      assertEquals(202, started.status(), started.body().encode());
      String id = started.body().getString("id");
      Http.Reply read = http[2].get("/api/crawls/" + id);
      assertEquals(200, read.status(), read.body().encode());
      assertEquals("running", read.body().getString("status"));
      assertTrue(http[1].get("/api/crawls").body().getJsonArray("jobs").stream()
          .anyMatch(j -> id.equals(((JsonObject) j).getString("id"))), "node 2 lists the job of node 1");
      Http.Reply cancelled = http[2].delete("/api/crawls/" + id);
      assertEquals(202, cancelled.status(), cancelled.body().encode());
      assertEquals("cancelled", http[0].get("/api/crawls/" + id).body().getString("status"));
    }

    // Node 2 killed: it leaves the sums within the bound; nodes 1 and 3 keep answering.
    nodes.get(1).kill();
    nodes.get(1).awaitExit(20);
    long killedAt = System.nanoTime();
    // Out of the sums as soon as it stops answering (unreachable), out of the membership once JGroups gives up.
    JsonObject unanswered = await(http[0], "/api/counters", c -> nodes(c, "live").size() == 2);
    long outOfSumsMs = (System.nanoTime() - killedAt) / 1_000_000;
    assertEquals(2 * 4 * 20 * 100, unanswered.getJsonObject("hello").getJsonObject("total").getLong("replies"));
    JsonObject after = await(http[0], "/api/counters", c -> nodes(c, "departed").size() == 1);
    long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
    System.out.println("ClusterNodesTest: the killed node left the sums after " + outOfSumsMs
        + " ms and the cluster after " + tookMs + " ms");
    assertTrue(tookMs <= LEAVE_BOUND_MS, "left after " + tookMs + " ms, bound " + LEAVE_BOUND_MS);
    assertEquals(2, nodes(after, "live").size(), after.encodePrettily());
    assertEquals(2 * 4 * 20 * 100, after.getJsonObject("hello").getJsonObject("total").getLong("replies"));
    assertEquals(4 * 20 * 100, after.getJsonObject("cluster").getJsonObject("departed").getJsonObject("hello")
        .getJsonObject("total").getLong("replies"));
    // Killed in a quiet moment, so nothing was lost; but nothing could know that: its figures say they may be short.
    assertFalse(nodes(after, "departed").getJsonObject(0).getBoolean("final"), after.encodePrettily());
    assertFalse(after.getJsonObject("cluster").getJsonObject("departed").getBoolean("final"), after.encodePrettily());
    long[] more = rounds(nodes.get(2).port(), 5, 100);
    assertEquals(500, more.length);
    assertEquals(200, http[2].get("/api/status").status());
    assertEquals(200, http[0].get("/health/ready").status());
  }
}
