package dev.hellonet.bench;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.ServerProcess;
import dev.hellonet.testing.TestConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator against a real in-process hellonet node on loopback, for about a second per load. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadGeneratorEndToEndTest {
  @TempDir
  Path dir;
  private Hellonet node;

  @BeforeEach
  void start() throws Exception {
    node = Await.result(Hellonet.start(TestConfig.inDir(dir).build()));
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      Await.result(node.stop());
    }
  }

  private LoadResult run(String... args) throws InterruptedException {
    String[] all = new String[args.length + 2];
    all[0] = "--port";
    all[1] = Integer.toString(node.helloPort());
    System.arraycopy(args, 0, all, 2, args.length);
    return new LoadRun(LoadOptions.parse(all), line -> { }).run();
  }

  @Test
  void pipelinedLoadGetsOnlyWellFormedDistinctNumbers() throws Exception {
    LoadResult r = run("--connections", "8", "--depth", "16", "--warmup", "0.3", "--duration", "0.8");
    assertEquals(0, r.errors(), () -> r.summary());
    assertEquals(0, r.numbers().duplicates(), () -> r.summary());
    assertTrue(r.replies() > 0, () -> r.summary());
    // Warm-up replies are checked too, and replies after the end may still be logged: never fewer than measured.
    assertTrue(r.numbers().checked() > r.replies(), () -> r.summary());
    assertEquals(r.replies(), r.latency().getTotalCount());
    assertTrue(r.ok());
  }

  @Test
  void severalPortsShareTheConnectionsAndTheDuplicateCheck() throws Exception {
    // The second server is a process of its own: one sequence file is shared by processes, not by two stores in one.
    try (ServerProcess second = ServerProcess.start(dir.resolve("second"),
        java.util.Map.of("HELLONET_SEQUENCE_FILE", dir.resolve("sequence").toString()))) {
      LoadResult r = new LoadRun(LoadOptions.parse("--port", node.helloPort() + "," + second.port(),
          "--connections", "4", "--depth", "8", "--warmup", "0.2", "--duration", "0.5"), line -> { }).run();
      assertTrue(r.ok(), () -> r.summary());
      assertTrue(r.replies() > 0, () -> r.summary());
      long accepted = node.counters().snapshot().getJsonObject("hello").getJsonObject("total")
          .getLong("connectionsAccepted");
      assertEquals(2, accepted, "connections alternate between the ports: two of four reached the first server");
    }
  }

  @Test
  void connectionPerRequestLoadGetsOnlyWellFormedDistinctNumbers() throws Exception {
    LoadResult r = run("--mode", "conn", "--connections", "4", "--close", "reset", "--warmup", "0.2",
        "--duration", "0.6");
    assertEquals(0, r.errors(), () -> r.summary());
    assertEquals(0, r.numbers().duplicates(), () -> r.summary());
    assertTrue(r.replies() > 0, () -> r.summary());
    assertTrue(r.ok());
  }

  @Test
  void repliesInTheWrongFormatFailTheRun() throws Exception {
    // hellonet's "Hello World<N>\n" is not Redis's ":<n>\r\n": every reply must count as malformed.
    LoadResult r = run("--protocol", "redis", "--connections", "2", "--depth", "4", "--warmup", "0",
        "--duration", "0.3");
    assertTrue(r.malformed() > 0, () -> r.summary());
    assertEquals(0, r.replies(), () -> r.summary());
    assertFalse(r.ok());
  }

  @Test
  void everyPipelinedConnectionEndsWithOneReplyPerRequest() throws Exception {
    LoadResult r = run("--connections", "8", "--depth", "64", "--warmup", "0.2", "--duration", "0.6");
    assertTrue(r.exactness().exact(), () -> r.summary());
    assertEquals(r.exactness().requests(), r.exactness().replies(), "drained whole: " + r.summary());
    long served = node.counters().snapshot().getJsonObject("hello").getJsonObject("total").getLong("replies");
    assertEquals(served, r.exactness().replies(), "the server sent exactly what the generator read");
  }

  @Test
  void aServerThatAnswersARequestTwiceFailsTheRun() throws Exception {
    try (Answering server = new Answering(2)) {
      LoadResult r = new LoadRun(LoadOptions.parse("--port", Integer.toString(server.port()), "--connections", "2",
          "--depth", "4", "--warmup", "0", "--duration", "0.3"), line -> { }).run();
      assertTrue(r.exactness().extra() > 0, () -> r.summary());
      assertFalse(r.ok(), () -> r.summary());
    }
  }

  @Test
  void aServerThatLeavesRequestsUnansweredFailsTheRun() throws Exception {
    // Every fourth request gets no reply: the pipeline stalls, and the end-of-run drain finds requests still owed.
    try (Answering server = new Answering(0)) {
      LoadResult r = new LoadRun(LoadOptions.parse("--port", Integer.toString(server.port()), "--connections", "2",
          "--depth", "4", "--warmup", "0", "--duration", "0.3"), line -> { }).run();
      assertTrue(r.exactness().unanswered() > 0, () -> r.summary());
      assertFalse(r.ok(), () -> r.summary());
    }
  }

  /**
   * A line server on loopback that answers every request with {@code copies} well-formed, distinct hellonet replies
   * ({@code 0}: one reply, except to every fourth request, which it ignores).
   */
  private static final class Answering implements AutoCloseable {
    private final java.net.ServerSocket listener = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress());
    private final java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong(1);

    Answering(int copies) throws java.io.IOException {
      threads.submit(() -> {
        while (!listener.isClosed()) {
          java.net.Socket s = listener.accept();
          threads.submit(() -> serve(s, copies));
        }
        return null;
      });
    }

    private Void serve(java.net.Socket s, int copies) throws java.io.IOException {
      try (s) {
        java.io.InputStream in = s.getInputStream();
        java.io.OutputStream out = s.getOutputStream();
        long seen = 0;
        int b;
        while ((b = in.read()) != -1) {
          if (b != '\n') {
            continue;
          }
          seen++;
          int replies = copies > 0 ? copies : (seen % 4 == 0 ? 0 : 1);
          for (int i = 0; i < replies; i++) {
            out.write(("Hello World" + next.getAndIncrement() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          }
          out.flush();
        }
      }
      return null;
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws java.io.IOException {
      listener.close();
      threads.shutdownNow();
    }
  }
}
