package dev.hellonet.hello;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.ListeningSockets;
import dev.hellonet.testing.Numbers;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol as a client sees it, against a real node with two hello-server instances on loopback. */
class HelloServerTest {
  @TempDir
  Path dir;
  private Hellonet node;
  private int port;
  private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * Pins the transport the suite means: with "auto" a native library that fails to load falls back to NIO with only a
   * warning, and both suites would then test NIO. A subclass runs the same tests on another transport.
   */
  protected TestConfig configure(TestConfig config) {
    return config.set("transport", expectedTransport());
  }

  protected Hellonet node() {
    return node;
  }

  protected int port() {
    return port;
  }

  protected String expectedTransport() {
    return "epoll";
  }

  /** Listening sockets on the hello port: Vert.x's shared acceptor binds one for all instances. */
  protected int expectedListeningSockets() {
    return 1;
  }

  @Test
  void runsOnTheTransportThisSuiteIsFor() {
    assertEquals(expectedTransport(), node.transport());
  }

  @Test
  void listensWithAsManySocketsAsTheAcceptorDesignSays() throws IOException {
    assertEquals(expectedListeningSockets(), ListeningSockets.on(port),
        "listening sockets on port " + port + " (from /proc/net/tcp and tcp6)");
  }

  @BeforeEach
  void start() throws Exception {
    node = Await.result(Hellonet.start(configure(TestConfig.inDir(dir)).build()));
    port = node.helloPort();
  }

  @AfterEach
  void stop() throws Exception {
    clients.shutdownNow();
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @Test
  void twoHundredPipelinedConnectionsGetDistinctIncreasingNumbers() throws Exception {
    int connections = 200;
    int perConnection = 500;
    byte[] batch = LineClient.requests(perConnection);
    List<Future<long[]>> results = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      results.add(clients.submit(() -> {
        try (LineClient client = LineClient.connect(port)) {
          client.send(batch);
          long[] numbers = new long[perConnection];
          for (int i = 0; i < perConnection; i++) {
            numbers[i] = client.readNumber();
            if (i > 0 && numbers[i] <= numbers[i - 1]) {
              throw new AssertionError("not increasing on one connection: " + numbers[i - 1] + " then " + numbers[i]);
            }
          }
          return numbers;
        }
      }));
    }
    long[] all = new long[connections * perConnection];
    int at = 0;
    for (Future<long[]> f : results) {
      long[] numbers = f.get(60, TimeUnit.SECONDS);
      System.arraycopy(numbers, 0, all, at, numbers.length);
      at += numbers.length;
    }
    assertEquals(100_000, at);
    Numbers.assertUnique(all);
    JsonObject totals = helloTotals();
    assertEquals(100_000, totals.getLong("replies"));
    assertEquals(100_000, totals.getLong("requests"));
    assertEquals(2, node.counters().snapshot().getJsonObject("hello").getJsonArray("instances").size(),
        "both instances report counters");
  }

  @Test
  void crlfBinaryGarbageAndNulBytesAreEachJustARequest() throws Exception {
    try (LineClient client = LineClient.connect(port)) {
      byte[] garbage = new byte[]{0, 0, (byte) 0xff, (byte) 0xfe, 7, '\r', '\n', 0, '\n', '\r', '\n', '\n'};
      client.send(garbage);
      long previous = 0;
      for (int i = 0; i < 4; i++) {
        long n = client.readNumber();
        assertTrue(n > previous);
        previous = n;
      }
      assertTrue(client.silentFor(200), "exactly one reply per newline");
    }
  }

  @Test
  void overLongRequestGetsAnErrorAndOnlyThatConnectionCloses() throws Exception {
    try (LineClient bystander = LineClient.connect(port); LineClient offender = LineClient.connect(port)) {
      bystander.send("before\n");
      long before = bystander.readNumber();

      byte[] tooLong = new byte[4097];
      Arrays.fill(tooLong, (byte) 'x');
      tooLong[4096] = '\n';
      offender.send("fine\n").send(tooLong).send("after\n");
      offender.readNumber();
      assertEquals("ERR request too long", offender.readLine());
      assertNull(offender.readLine(), "the server closes the offending connection");

      bystander.send("after\n");
      assertTrue(bystander.readNumber() > before, "other connections keep being served");
    }
    assertEquals(1, helloTotals().getLong("badRequests"));
  }

  @Test
  void requestOfExactlyTheLimitIsAccepted() throws Exception {
    try (LineClient client = LineClient.connect(port)) {
      byte[] atLimit = new byte[4096];
      Arrays.fill(atLimit, (byte) 'y');
      atLimit[4095] = '\n';
      client.send(atLimit);
      client.readNumber();
    }
  }

  @Test
  void overLongRequestWithoutNewlineIsRefusedAsSoonAsItPassesTheLimit() throws Exception {
    try (LineClient client = LineClient.connect(port)) {
      byte[] endless = new byte[5000];
      Arrays.fill(endless, (byte) 'z');
      client.send(endless);
      assertEquals("ERR request too long", client.readLine());
      assertNull(client.readLine());
    }
  }

  @Test
  void lastRequestWithoutNewlineIsAnsweredOnHalfClose() throws Exception {
    try (LineClient client = LineClient.connect(port)) {
      client.send("one\ntwo\nno newline at the end");
      client.shutdownOutput();
      long a = client.readNumber();
      long b = client.readNumber();
      long c = client.readNumber();
      assertTrue(a < b && b < c);
      assertTrue(client.atEndOfStream(), "the server closes its side after the last reply");
    }
    assertEquals(3, helloTotals().getLong("replies"));
  }

  @Test
  void halfCloseWithNothingPendingJustCloses() throws Exception {
    try (LineClient client = LineClient.connect(port)) {
      client.send("x\n");
      client.shutdownOutput();
      client.readNumber();
      assertTrue(client.atEndOfStream());
    }
  }

  @Test
  void clientVanishingMidRequestDoesNotDisturbOthers() throws Exception {
    for (int i = 0; i < 50; i++) {
      LineClient quitter = LineClient.connect(port);
      quitter.send(LineClient.requests(100)).send("half a requ");
      quitter.close(); // may close with replies unread: the server sees a reset
    }
    try (LineClient client = LineClient.connect(port)) {
      client.send(LineClient.requests(10));
      for (int i = 0; i < 10; i++) {
        client.readNumber();
      }
    }
    awaitCounter("connectionsActive", 0);
  }

  @Test
  void clientThatSendsButNeverReadsIsThrottledNotBuffered() throws Exception {
    long sent = 64L * 1024 * 1024; // 64 Mi requests: ~1.3 GB of replies if the server buffered them
    AtomicLong accepted = new AtomicLong();
    try (LineClient hog = LineClient.connectFrom("127.0.0.1", port, 16 * 1024)) {
      Future<?> writer = clients.submit(() -> {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) '\n');
        try {
          for (long done = 0; done < sent; done += chunk.length) {
            hog.send(chunk);
            accepted.addAndGet(chunk.length);
          }
        } catch (IOException closed) {
          // the test closes the socket at the end
        }
        return null;
      });

      // The server must stop reading: the requests it has counted stop growing well short of what was sent.
      long plateau = awaitPlateau("requests", Duration.ofSeconds(20));
      assertTrue(plateau < sent / 4, "server kept reading from a client that does not read: " + plateau);
      assertFalse(writer.isDone(), "the client's writes are blocked by TCP flow control");
      // Every reply written so far waits somewhere between the server and this client, which has read none. Where it
      // may wait: the server's kernel send buffer (at most tcp_wmem's maximum), this socket's receive buffer, and the
      // server's own outbound queue, which docs/performance.md bounds at Netty's 64 KiB high-water mark plus one
      // 128 KiB batch. Read them all back and count their bytes.
      long written = helloTotals().getLong("replies");
      long owedBytes = 0;
      long previous = 0;
      for (long i = 0; i < written; i++) {
        String reply = hog.readLine();
        long n = Long.parseLong(reply.substring("Hello World".length()));
        assertTrue(n > previous, "replies stay in order");
        previous = n;
        owedBytes += reply.length() + 1;
      }
      long bound = kernelSendBufferMax() + hog.receiveBufferSize() + 64 * 1024 + 128 * 1024;
      assertTrue(owedBytes <= bound, "replies queued for a client that does not read: " + owedBytes
          + " bytes, more than the socket buffers and one outbound batch hold (" + bound + ")");

      try (LineClient other = LineClient.connect(port)) {
        other.send("still there?\n");
        other.readNumber();
      }

      // Nothing was lost: once the client reads, its replies continue in order.
      for (int i = 0; i < 200_000; i++) {
        long n = hog.readNumber();
        assertTrue(n > previous, "replies stay in order");
        previous = n;
      }
    }
  }

  @Test
  void gracefulStopAnswersEverythingAlreadyRead() throws Exception {
    LineClient client = LineClient.connect("127.0.0.1", port, 64 * 1024);
    Future<?> writer = clients.submit(() -> {
      try {
        client.send(LineClient.requests(2_000_000));
      } catch (IOException expected) {
        // the server stops reading and closes
      }
      return null;
    });
    // Let the server read until it stops for back-pressure: it then owes many replies the client has not read.
    awaitPlateau("requests", Duration.ofSeconds(20));

    io.vertx.core.Future<Void> stopping = node.stop();
    Hellonet stopped = node;
    node = null;

    long count = 0;
    long previous = 0;
    long n;
    while (true) {
      String line = client.readLine();
      if (line == null) {
        break;
      }
      assertTrue(line.startsWith("Hello World"), line);
      n = Long.parseLong(line.substring("Hello World".length()));
      assertTrue(n > previous);
      previous = n;
      count++;
    }
    Await.result(stopping);
    long requests = stopped.counters().snapshot().getJsonObject("hello").getJsonObject("total").getLong("requests");
    assertTrue(requests > 0);
    assertEquals(requests, count, "every request the server read was answered before it closed");
    client.close();
    writer.get(10, TimeUnit.SECONDS);
  }

  private JsonObject helloTotals() {
    return node.counters().snapshot().getJsonObject("hello").getJsonObject("total");
  }

  private void awaitCounter(String name, long expected) throws Exception {
    Await.until(() -> helloTotals().getLong(name) == expected, 10,
        () -> name + " is " + helloTotals().getLong(name) + ", not " + expected);
  }

  /** Waits until a counter has not moved for half a second and returns its value. */
  /** The most the kernel lets a socket's send buffer grow to (the third field of tcp_wmem); 4 MiB where unreadable. */
  private static long kernelSendBufferMax() {
    try {
      String[] fields = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
      return Long.parseLong(fields[2]);
    } catch (IOException | RuntimeException e) {
      return 4L * 1024 * 1024;
    }
  }

  private long awaitPlateau(String name, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    long last = -1;
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = helloTotals().getLong(name);
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      } else if (now > 0 && System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(500)) {
        return now;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(name + " never stopped growing within " + limit + " (last " + last + ")");
  }

}
