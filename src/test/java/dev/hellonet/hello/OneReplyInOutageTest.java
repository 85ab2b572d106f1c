package dev.hellonet.hello;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.CountingClient;
import dev.hellonet.testing.CountingClient.Replies;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.PostgresExtension;
import dev.hellonet.testing.PostgresServer;
import dev.hellonet.testing.TestConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With the sequence store down and no numbers held, every request still gets exactly one reply, {@code ERR
 * unavailable}, through small receive buffers read fast and slowly: a real PostgreSQL, stopped.
 */
class OneReplyInOutageTest {
  private static final int CONNECTIONS = 9;
  private static final int REQUESTS = 20_000;
  @RegisterExtension
  static final PostgresExtension postgres = new PostgresExtension();

  @TempDir
  Path dir;
  private Hellonet node;
  private boolean pgStopped;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void stop() throws Exception {
    threads.shutdownNow();
    if (pgStopped) {
      postgres.server().startServer();
      pgStopped = false;
    }
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @ParameterizedTest(name = "receive buffer {0} B, a pause every {1} reads")
  @CsvSource({"2048,0", "16384,0", "2048,4"})
  void everyRequestIsAnsweredOnceWithErrUnavailable(int receiveBuffer, int pauseEveryReads) throws Exception {
    Path password = Files.writeString(dir.resolve("pg-password"), PostgresServer.PASSWORD + "\n");
    String name = "outage-" + receiveBuffer + "-" + pauseEveryReads;
    node = Await.result(Hellonet.start(TestConfig.inDir(dir)
        .set("sequence.store", "postgres")
        .set("sequence.postgres.host", "127.0.0.1")
        .set("sequence.postgres.port", postgres.server().port())
        .set("sequence.postgres.database", PostgresServer.DATABASE)
        .set("sequence.postgres.user", PostgresServer.USER)
        .set("sequence.postgres.name", name)
        .set("sequence.postgres.sslMode", "disable")
        .set("sequence.postgres.passwordFile", password.toString())
        .set("sequence.minBlock", 16)
        .set("sequence.maxBlock", 256)
        .build()));
    postgres.server().stopImmediately();
    pgStopped = true;
    // Spend what the node holds: a few hundred numbers at most, then the first ERR unavailable.
    try (LineClient drain = LineClient.connect(node.helloPort())) {
      Await.until(() -> !drain.send("x\n").readLine().startsWith("Hello World"), "the held numbers run out");
    }

    CountingClient client = new CountingClient(receiveBuffer, pauseEveryReads);
    List<Future<Replies>> futures = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      futures.add(threads.submit(client.exchange(threads, node.helloPort(), LineClient.requests(REQUESTS), true)));
    }
    for (Future<Replies> f : futures) {
      Replies r = f.get(90, TimeUnit.SECONDS);
      assertEquals(REQUESTS, r.lines(), "one reply per request (first odd line: " + r.firstOther() + ")");
      assertEquals(REQUESTS, r.unavailable() + r.numbered(), "only ERR unavailable or a number");
      assertEquals(0, r.other());
    }
  }
}
