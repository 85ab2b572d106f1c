package dev.hellonet.guard;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.NeededTool;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each limit against a real node on loopback, with distinct sources from 127.0.0.2 and 127.0.0.3. TCP_DEFER_ACCEPT is
 * off in most tests so that a refused client sees {@code ERR busy} without having to send first.
 */
class ProtectionServerTest {
  /** The idle timeout of the idle test: ten times the chatty client's 100 ms between requests. */
  private static final long IDLE_MS = 1_000;
  @TempDir
  Path dir;
  private Hellonet node;
  private int port;
  private final List<LineClient> open = new ArrayList<>();
  private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

  private void start(Consumer<TestConfig> settings) throws Exception {
    TestConfig config = TestConfig.inDir(dir)
        .set("hello.deferAcceptSeconds", 0)
        .set("protection.allowList", new JsonArray());
    settings.accept(config);
    node = Await.result(Hellonet.start(config.build()));
    port = node.helloPort();
  }

  @AfterEach
  void stop() throws Exception {
    background.shutdownNow();
    for (LineClient c : open) {
      c.close();
    }
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @Test
  void perAddressCapRefusesTheExtraConnectionWhileOtherAddressesAreServed() throws Exception {
    start(c -> c.set("protection.maxConnectionsPerAddress", 2));

    LineClient first = served("127.0.0.2");
    served("127.0.0.2");
    assertRefused(connect("127.0.0.2"));
    served("127.0.0.3");
    served("127.0.0.3");
    assertEquals(1, hello("rejectedPerIpLimit"));

    first.close();
    awaitOpenConnections(3);
    served("127.0.0.2"); // the place it held is free again
    assertEquals(1, hello("rejectedPerIpLimit"));
    assertEquals(0, hello("rejectedRateLimit") + hello("rejectedGlobalLimit"));
  }

  @Test
  void rateLimitRefusesBeyondTheBurstAndTheAllowListBypassesIt() throws Exception {
    start(c -> c.set("protection.newConnectionsPerSecond", 1)
        .set("protection.newConnectionsBurst", 3)
        .set("protection.allowList", new JsonArray().add("127.0.0.3/32").add("10.0.0.0/8")));

    long began = System.nanoTime();
    int served = 0;
    int attempts = 10;
    for (int i = 0; i < attempts; i++) {
      try (LineClient c = connect("127.0.0.2")) {
        String line = c.send("x\n").readLine();
        if (line != null && line.startsWith("Hello World")) {
          served++;
        }
      } catch (IOException refusedWithReset) {
        // refused: the server closed while our request was unread
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    assertTrue(served >= 3, "the burst of 3 is served: " + served);
    assertTrue(served <= 3 + (int) Math.ceil(seconds) + 1, served + " served in " + seconds + " s at 1/s, burst 3");
    assertEquals(attempts - served, hello("rejectedRateLimit"), "every refusal is counted as rate-limit");

    for (int i = 0; i < 20; i++) {
      try (LineClient c = connect("127.0.0.3")) {
        c.send("x\n").readNumber();
      }
    }
    assertEquals(attempts - served, hello("rejectedRateLimit"), "the allow-listed address was never limited");
  }

  @Test
  void globalCapRefusesBeyondTheLimitUntilAPlaceIsFree() throws Exception {
    start(c -> c.set("protection.maxConnections", 3));
    assertEquals(3, node.protection().status().getInteger("maxConnections"));

    LineClient first = served("127.0.0.2");
    served("127.0.0.3");
    served("127.0.0.4");
    assertRefused(connect("127.0.0.5"));
    assertEquals(1, hello("rejectedGlobalLimit"));

    first.close();
    awaitOpenConnections(2);
    served("127.0.0.5");
    assertEquals(1, hello("rejectedGlobalLimit"));
  }

  @Test
  void firstRequestTimeoutClosesATricklingClientAndSparesOneThatAsked() throws Exception {
    start(c -> c.set("protection.firstRequestTimeoutMs", 500).set("protection.idleTimeoutMs", 0));
    LineClient polite = served("127.0.0.3");

    // Taken before the connection exists, so the server's timer cannot have started earlier: a close before 0.5 s
    // from here is a close before the timeout. Past it, only the counter says why it was closed; the window is long.
    long began = System.nanoTime();
    LineClient slowloris = connect("127.0.0.2");
    long window = began + TimeUnit.SECONDS.toNanos(20);
    boolean closed = false;
    while (!closed && System.nanoTime() < window) { // one byte per 100 ms, never a newline
      try {
        slowloris.send("G");
        Thread.sleep(100);
      } catch (IOException reset) {
        closed = true;
      }
      if (!closed && hello("rejectedFirstRequestTimeout") == 1 && slowloris.atEndOfStreamOrReset()) {
        closed = true;
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    assertTrue(closed, "the trickling client was closed");
    assertTrue(seconds >= 0.5, "closed after the 0.5 s first-request timeout, not before: " + seconds);
    assertEquals(1, hello("rejectedFirstRequestTimeout"));

    polite.send("again\n").readNumber(); // asked in time: the first-request timeout no longer applies to it
    assertEquals(0, hello("rejectedIdleTimeout"));
  }

  @Test
  void idleTimeoutClosesASilentClientButNotOneThatKeepsAsking() throws Exception {
    start(c -> c.set("protection.idleTimeoutMs", IDLE_MS));
    LineClient chatty = served("127.0.0.3");
    // A request every 100 ms for three idle timeouts, beside the silent client. The widest gap it leaves is measured:
    // only if the machine stalled it for a whole timeout could the server rightly have closed it.
    long[] widestGap = {0};
    Future<Integer> chatter = background.submit(() -> {
      int asks = (int) (3 * IDLE_MS / 100);
      long last = System.nanoTime();
      for (int i = 0; i < asks; i++) {
        Thread.sleep(100);
        long now = System.nanoTime();
        widestGap[0] = Math.max(widestGap[0], now - last);
        chatty.send("ping\n").readNumber();
        last = System.nanoTime();
      }
      return asks;
    });
    long asked = System.nanoTime(); // before its last request, so the server's idle time is no longer than this
    LineClient silent = served("127.0.0.2");
    assertTrue(silent.atEndOfStreamOrReset(), "the silent client was closed (before the client's 15 s read timeout)");
    double closedAfter = (System.nanoTime() - asked) / 1e9;
    assertTrue(closedAfter >= IDLE_MS / 1e3, "closed after " + closedAfter + " s, before the idle timeout");
    try {
      assertEquals((int) (3 * IDLE_MS / 100), chatter.get(60, TimeUnit.SECONDS),
          "the client that kept asking was served throughout");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("the client that kept asking was closed; its widest gap was "
          + widestGap[0] / 1_000_000 + " ms against an idle timeout of " + IDLE_MS + " ms", e);
    }
    assertEquals(1, hello("rejectedIdleTimeout"));
    chatty.send("still here\n").readNumber();
  }

  /** Issue 10: with the first-request timeout off, a connection that never asks was never closed as idle. */
  @Test
  void idleTimeoutAppliesBeforeTheFirstRequestWhenTheFirstRequestTimeoutIsOff() throws Exception {
    start(c -> c.set("protection.firstRequestTimeoutMs", 0).set("protection.idleTimeoutMs", 600));
    long began = System.nanoTime(); // before the connection exists: the server's idle time is no longer than this
    LineClient silent = connect("127.0.0.2");
    silent.send("G"); // a byte without a newline: accepted (TCP_DEFER_ACCEPT), but no request
    awaitCounter("rejectedIdleTimeout", 1, 10);
    assertTrue(silent.atEndOfStreamOrReset(), "the connection that never asked was closed");
    assertTrue((System.nanoTime() - began) / 1e9 >= 0.6, "not before the idle timeout");
    assertEquals(0, hello("rejectedFirstRequestTimeout"));
  }

  @Test
  void slowReaderIsClosedAfterItsTimeoutAndItsPlaceIsGivenBack() throws Exception {
    // One connection per address: the slow reader's place must be free again after it is closed.
    start(c -> c.set("protection.slowReaderTimeoutMs", 700).set("protection.maxConnectionsPerAddress", 1));
    LineClient hog = connect("127.0.0.2", 4096);
    Future<?> writer = background.submit(() -> {
      byte[] chunk = new byte[16 * 1024];
      Arrays.fill(chunk, (byte) '\n');
      for (int i = 0; i < 4096; i++) { // at most 64 MiB of requests; the server cuts it off long before
        hog.send(chunk);
      }
      return null;
    });
    awaitCounter("rejectedSlowReader", 1, 15);
    assertTrue(hello("requests") > 0);
    served("127.0.0.3");
    try {
      writer.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException expected) {
      assertTrue(expected.getCause() instanceof IOException, "the writer fails because the server reset it");
    }
    awaitCounter("connectionsActive", 1, 10); // only the served one is left
    awaitOpenConnections(1);
    served("127.0.0.2"); // its address holds no place any more
    assertEquals(0, hello("rejectedPerIpLimit"));
    assertEquals(0, hello("rejectedIdleTimeout") + hello("rejectedFirstRequestTimeout"));
  }

  @Test
  void acceptBacklogIsAppliedToTheListeningSocket() throws Exception {
    start(c -> c.set("hello.acceptBacklog", 77));
    List<String> lines = ss("-ltnH", "sport = :" + port);
    assertEquals(1, lines.size(), "one listening socket: " + lines);
    // For a listening socket ss shows the backlog as Send-Q: State Recv-Q Send-Q Local Peer.
    String[] fields = lines.get(0).trim().split("\\s+");
    assertEquals("77", fields[2], lines.get(0));
  }

  @Test
  void deferAcceptHoldsSilentConnectionsInTheKernel() throws Exception {
    // Pinned: with "auto" a failed native load would fall back to NIO, where TCP_DEFER_ACCEPT does not exist.
    start(c -> c.set("transport", "epoll").set("hello.deferAcceptSeconds", 5));
    assertEquals(5, node.protection().status().getInteger("deferAcceptSeconds"), "TCP_DEFER_ACCEPT is set");
    LineClient quiet = connect("127.0.0.2");
    Thread.sleep(500);
    assertEquals(0, hello("connectionsAccepted"), "a connection that sent nothing is not handed to the server");
    quiet.send("now\n").readNumber();
    assertEquals(1, hello("connectionsAccepted"));
  }

  @Test
  void withoutDeferAcceptASilentConnectionIsAcceptedAtOnce() throws Exception {
    start(c -> c.set("hello.deferAcceptSeconds", 0));
    connect("127.0.0.2");
    awaitCounter("connectionsAccepted", 1, 5);
  }

  @Test
  void statusReportsLimitsAndKernelDefences() throws Exception {
    start(c -> c.set("protection.maxConnections", 1234));
    JsonObject status = node.protection().status();
    assertEquals(1234, status.getInteger("maxConnections"));
    assertEquals("protection.maxConnections", status.getString("maxConnectionsSource"));
    assertTrue(status.getJsonObject("kernel").containsKey("warnings"));
    assertTrue(status.getJsonObject("kernel").getJsonObject("sysctls").containsKey(KernelDefences.SYNCOOKIES));
    JsonObject counters = node.counters().snapshot().getJsonObject("protection").getJsonObject("total");
    assertEquals(1234, counters.getLong("maxConnections"));
    for (Reason r : Reason.values()) {
      assertEquals(0, hello(r.counter()), r.counter() + " is in the hello counters");
    }
  }

  // --- helpers

  private LineClient connect(String from) throws IOException {
    return connect(from, 0);
  }

  private LineClient connect(String from, int receiveBuffer) throws IOException {
    LineClient c = LineClient.connectFrom(from, port, receiveBuffer);
    open.add(c);
    return c;
  }

  /** Connects from {@code from} and checks that a request is answered. */
  private LineClient served(String from) throws IOException {
    LineClient c = connect(from);
    c.send("hello\n").readNumber();
    return c;
  }

  private static void assertRefused(LineClient c) throws IOException {
    assertEquals("ERR busy", c.readLine());
    assertTrue(c.atEndOfStreamOrReset(), "closed after ERR busy");
  }

  private long hello(String counter) {
    return node.counters().snapshot().getJsonObject("hello").getJsonObject("total").getLong(counter);
  }

  private void awaitCounter(String counter, long expected, int seconds) throws Exception {
    Await.until(() -> hello(counter) == expected, seconds, () -> counter + " is " + hello(counter) + ", not "
        + expected);
  }

  private void awaitOpenConnections(int expected) throws Exception {
    Await.until(() -> node.protection().admission().openConnections() == expected, 5,
        () -> "open connections " + node.protection().admission().openConnections() + ", not " + expected);
  }

  private static List<String> ss(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ss"));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      NeededTool.missing("ss (Debian: apt-get install iproute2) is not installed: " + notInstalled.getMessage());
      throw notInstalled;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

}
