package dev.hellonet.api;

import dev.hellonet.testing.Http;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.hellonet.testing.ProcessFixture.await;
import static dev.hellonet.testing.ProcessFixture.awaitLog;
import static dev.hellonet.testing.ProcessFixture.nodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three clustered nodes in their own JVMs, one stopped gracefully (a rollout, a scale-in): the API of the others keeps
 * answering its cluster-wide reads in bounded time the whole while, from the stop until well after the member is gone,
 * and ends up counting the stopped node as departed with final figures.
 */
class LeavingPeerReadsTest {
  /** What a client of the API waits for a cluster-wide read: the pod harness's 5 s, less a margin for a busy machine. */
  private static final long READ_TIMEOUT_MS = 4_500;
  /** Reads go on this long after the stopped node has exited: past the cluster manager's 10 s heartbeat timeout. */
  private static final long AFTER_EXIT_MS = 14_000;

  @TempDir
  Path dir;
  @RegisterExtension
  final ProcessFixture processes = new ProcessFixture();

  private record Read(long atMs, String path, int status, long tookMs, String error) {}

  @Test
  void theOthersKeepAnsweringWhileAPeerLeavesGracefully() throws Exception {
    int[] clusterPorts = {ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort()};
    String members = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:"
        + clusterPorts[2];
    int[] httpPorts = {ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort()};
    List<ServerProcess> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      var env = ProcessFixture.clusterNode(members, clusterPorts[i], httpPorts[i], dir.resolve("sequence"));
      env.put("HELLONET_SHUTDOWN_DRAINDELAYMS", "500");
      nodes.add(processes.launch(dir.resolve("n" + i), env));
    }
    for (ServerProcess n : nodes) {
      awaitLog(n, "hellonet ready", 1);
    }
    Http http = new Http(httpPorts[1]);
    await(http, "/api/counters", c -> nodes(c, "live").size() == 3);

    // The first node to start is the oldest member, Hazelcast's master: the harder case of the two.
    ServerProcess leaving = nodes.get(0);
    List<Read> reads = new ArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    long start = System.nanoTime();
    Thread reader = Thread.ofVirtual().start(() -> {
      String[] paths = {"/api/counters", "/api/crawls", "/api/status"};
      for (int i = 0; !done.get(); i++) {
        String path = paths[i % paths.length];
        long asked = System.nanoTime();
        Read read;
        try {
          Http.Reply reply = http.get(path);
          read = new Read(ms(start, asked), path, reply.status(), ms(asked, System.nanoTime()), null);
        } catch (IOException | InterruptedException e) {
          read = new Read(ms(start, asked), path, -1, ms(asked, System.nanoTime()), e.toString());
        }
        synchronized (reads) {
          reads.add(read);
        }
      }
    });
    leaving.terminate();
    assertEquals(0, leaving.awaitExit(60), leaving.log());
    Thread.sleep(AFTER_EXIT_MS);
    done.set(true);
    reader.join(TimeUnit.SECONDS.toMillis(30));

    List<Read> bad;
    synchronized (reads) {
      bad = reads.stream().filter(r -> r.status() != 200 || r.tookMs() >= READ_TIMEOUT_MS).toList();
      System.out.println("LeavingPeerReadsTest: " + reads.size() + " reads of a remaining node while a peer left; "
          + "slowest " + reads.stream().mapToLong(Read::tookMs).max().orElse(-1) + " ms; failed or too slow: "
          + bad.size());
    }
    assertTrue(bad.isEmpty(), "every read must answer 200 within " + READ_TIMEOUT_MS + " ms while a peer leaves; "
        + bad.size() + " did not: " + bad);
    JsonObject after = await(http, "/api/counters", c -> nodes(c, "live").size() == 2
        && nodes(c, "departed").size() == 1);
    JsonObject departed = (JsonObject) nodes(after, "departed").getValue(0);
    assertEquals(Boolean.TRUE, departed.getBoolean("final"), after.encodePrettily());
  }

  private static long ms(long from, long to) {
    return (to - from) / 1_000_000;
  }
}
