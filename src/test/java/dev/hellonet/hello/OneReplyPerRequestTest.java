package dev.hellonet.hello;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.CountingClient;
import dev.hellonet.testing.CountingClient.Replies;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.Numbers;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly one reply per request on every connection, over the range of receive buffers and read speeds that makes the
 * server's writes stop and start (a small buffer read quickly is what a real network looks like to the server; on
 * loopback with a large buffer every write goes out whole and hides a reply sent twice).
 */
class OneReplyPerRequestTest {
  private static final int CONNECTIONS = 9;
  private static final int REQUESTS = 20_000;

  @TempDir
  Path dir;
  private Hellonet node;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeEach
  void start() throws Exception {
    node = Await.result(Hellonet.start(TestConfig.inDir(dir).set("transport", "epoll").build()));
  }

  @AfterEach
  void stop() throws Exception {
    threads.shutdownNow();
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @ParameterizedTest(name = "receive buffer {0} B, a pause every {1} reads")
  @CsvSource({"1024,0", "2048,0", "4096,0", "16384,0", "262144,0", "2048,4", "16384,4", "2048,1"})
  void pipelinedRequestsGetExactlyOneReplyEach(int receiveBuffer, int pauseEveryReads) throws Exception {
    List<Replies> seen = exchange(new CountingClient(receiveBuffer, pauseEveryReads), LineClient.requests(REQUESTS),
        true);
    for (Replies r : seen) {
      assertEquals(REQUESTS, r.numbered(), "replies on one connection (" + r.lines() + " lines, first odd one: "
          + r.firstOther() + ")");
      assertEquals(REQUESTS, r.lines());
      assertTrue(r.endedByServer(), "the server closes after the last reply to a half-closed connection");
    }
    assertUniqueAndIncreasing(seen);
    assertCounters(CONNECTIONS * (long) REQUESTS);
  }

  @ParameterizedTest(name = "receive buffer {0} B")
  @CsvSource({"2048", "16384"})
  void overLongRequestAfterManyGetsEveryEarlierReplyThenOneErrorThenClose(int receiveBuffer) throws Exception {
    byte[] requests = LineClient.requests(REQUESTS);
    byte[] tooLong = new byte[5_000];
    Arrays.fill(tooLong, (byte) 'a');
    tooLong[tooLong.length - 1] = '\n';
    List<Replies> seen = exchange(new CountingClient(receiveBuffer, 0), concat(requests, tooLong), false);
    for (Replies r : seen) {
      assertEquals(REQUESTS, r.numbered(), "replies before the over-long request");
      assertEquals(1, r.tooLong(), "one ERR request too long");
      assertEquals(REQUESTS + 1, r.lines(), "nothing else: first odd line " + r.firstOther());
    }
    assertUniqueAndIncreasing(seen);
  }

  @ParameterizedTest(name = "receive buffer {0} B")
  @CsvSource({"2048", "16384"})
  void lastRequestWithoutNewlineIsAnsweredOnceAfterAllTheOthers(int receiveBuffer) throws Exception {
    byte[] request = concat(LineClient.requests(REQUESTS), "tail".getBytes(StandardCharsets.US_ASCII));
    List<Replies> seen = exchange(new CountingClient(receiveBuffer, 0), request, true);
    for (Replies r : seen) {
      assertEquals(REQUESTS + 1, r.numbered(), "every request, the half-closed last one included");
      assertEquals(REQUESTS + 1, r.lines());
    }
    assertUniqueAndIncreasing(seen);
    assertCounters(CONNECTIONS * (REQUESTS + 1L));
  }

  @Test
  void gracefulStopAnswersEveryRequestItReadExactlyOnce() throws Exception {
    // Clients that keep sending and read through small buffers: at the stop the server owes replies on every one.
    CountingClient client = new CountingClient(2048, 0);
    List<Future<Replies>> running = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      running.add(threads.submit(client.exchange(threads, node.helloPort(), LineClient.requests(500_000), false)));
    }
    Await.until(() -> helloTotals().getLong("connectionsAccepted") == CONNECTIONS
        && helloTotals().getLong("requests") > CONNECTIONS * 10_000L, "every client connected and sending");
    Hellonet stopping = node;
    node = null;
    Await.result(stopping.stop());
    long replies = 0;
    List<Replies> seen = new ArrayList<>();
    for (Future<Replies> f : running) {
      Replies r = f.get(60, TimeUnit.SECONDS);
      assertEquals(r.numbered(), r.lines(), "only numbered replies: first odd line " + r.firstOther());
      replies += r.numbered();
      seen.add(r);
    }
    JsonObject totals = stopping.counters().snapshot().getJsonObject("hello").getJsonObject("total");
    assertEquals(totals.getLong("requests"), replies, "the replies the clients read are the requests the server read");
    assertEquals(totals.getLong("replies"), replies, "and what the server counted as sent");
    assertUniqueAndIncreasing(seen);
  }

  private List<Replies> exchange(CountingClient client, byte[] request, boolean halfClose) throws Exception {
    List<Future<Replies>> futures = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      futures.add(threads.submit(client.exchange(threads, node.helloPort(), request, halfClose)));
    }
    List<Replies> seen = new ArrayList<>();
    for (Future<Replies> f : futures) {
      seen.add(f.get(90, TimeUnit.SECONDS));
    }
    return seen;
  }

  private void assertCounters(long expected) throws Exception {
    // The counters are updated on the event loops; they settle as soon as the last reply was written.
    Await.until(() -> helloTotals().getLong("replies") == expected, "replies counted " + expected);
    assertEquals(expected, helloTotals().getLong("requests"));
  }

  private JsonObject helloTotals() {
    return node.counters().snapshot().getJsonObject("hello").getJsonObject("total");
  }

  private static void assertUniqueAndIncreasing(List<Replies> seen) {
    seen.forEach(r -> Numbers.assertIncreasing(r.numbers()));
    Numbers.assertUnique(seen.stream().map(Replies::numbers).toList());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
