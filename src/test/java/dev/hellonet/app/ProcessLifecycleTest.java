package dev.hellonet.app;

import dev.hellonet.testing.Numbers;
import dev.hellonet.testing.Pipelined;
import dev.hellonet.testing.ProcessFixture;
import dev.hellonet.testing.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.hellonet.testing.ProcessFixture.get;
import static dev.hellonet.testing.Pipelined.rounds;

/** Guarantees that only hold across processes: a shared sequence file, restarts, SIGKILL, SIGTERM, bad start-up. */
class ProcessLifecycleTest {
  /** Small blocks force many leases, so the processes really interleave on the file. */
  private static final Map<String, String> SMALL_BLOCKS = Pipelined.SMALL_BLOCKS;

  @TempDir
  Path dir;
  @RegisterExtension
  final ProcessFixture processes = new ProcessFixture();

  @Test
  void twoProcessesSharingOneSequenceFileNeverRepeatANumber() throws Exception {
    Path file = dir.resolve("shared/sequence");
    ServerProcess a = start("a", file, SMALL_BLOCKS);
    ServerProcess b = start("b", file, SMALL_BLOCKS);

    List<Future<long[]>> results = new ArrayList<>();
    for (int c = 0; c < 40; c++) {
      int port = (c % 2 == 0 ? a : b).port();
      results.add(processes.submit(() -> rounds(port, 50, 100)));
    }
    long[] all = results.stream().flatMapToLong(f -> Arrays.stream(get(f))).toArray();
    assertEquals(40 * 50 * 100, all.length);
    Numbers.assertUnique(all);
  }

  @Test
  void afterSigkillUnderLoadEveryNewNumberIsAboveEveryNumberSeenBefore() throws Exception {
    Path file = dir.resolve("sequence");
    Pipelined.assertRestartAfterSigkillUnderLoadSendsOnlyHigherNumbers(name -> start(name, file, SMALL_BLOCKS));
  }

  @Test
  void sigtermStopsCleanlyWithExitZeroAndARestartContinuesAbove() throws Exception {
    Path file = dir.resolve("sequence");
    ServerProcess first = start("first", file, Map.of());
    long[] before = rounds(first.port(), 5, 100);
    first.terminate();
    assertEquals(0, first.awaitExit(30), first.log());
    assertTrue(first.log().contains("stopped cleanly"), first.log());
    // The one warning a first start must give is that it created the sequence file (issue 11: loudly, with its path).
    // Level names are log.level's (ERROR, WARN, INFO, DEBUG, TRACE), see dev.hellonet.log.
    assertTrue(first.log().contains(" WARN [dev.hellonet.sequence.FileSequenceStore] CREATED A NEW SEQUENCE FILE at "
        + file.toAbsolutePath()), first.log());
    assertFalse(first.log().lines().anyMatch(l -> l.contains(" WARN [") && !l.contains("CREATED A NEW SEQUENCE FILE")),
        "a default start on a stock kernel logs no other warning:\n" + first.log());

    ServerProcess second = start("second", file, Map.of());
    long[] after = rounds(second.port(), 5, 100);
    long maxBefore = Arrays.stream(before).max().orElseThrow();
    assertTrue(Arrays.stream(after).min().orElseThrow() > maxBefore);
    // A clean stop gives unused numbers back when it can, so the gap is at most the other instance's block.
    assertTrue(Arrays.stream(after).min().orElseThrow() - maxBefore <= 2 * 1024 + 1,
        "gap after a clean stop: " + (Arrays.stream(after).min().orElseThrow() - maxBefore));
  }

  @Test
  void sigtermWhileStartingWaitsForTheStartThenStopsCleanly() throws Exception {
    ServerProcess server = processes.launch(dir.resolve("early"), Map.of(
        "HELLONET_SEQUENCE_FILE", dir.resolve("early-sequence").toString()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!server.log().contains("starting (SIGTERM") && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    // The node takes about a second from here to ready, so the signal lands mid-start.
    server.terminate();
    assertEquals(0, server.awaitExit(30), server.log());
    String log = server.log();
    assertTrue(log.contains("stopped cleanly"), log);
    assertTrue(log.contains("stopping:"), log);
    assertTrue(log.contains("a stop was asked for during the start"), "the signal landed mid-start:\n" + log);
    assertFalse(log.contains("hellonet ready"), "no \"ready\" after \"stopping\":\n" + log);
  }

  @Test
  void corruptSequenceFileStopsTheStartWithAClearErrorAndLeavesTheFileAlone() throws Exception {
    Path file = dir.resolve("sequence");
    byte[] garbage = new byte[192];
    Arrays.fill(garbage, (byte) '?');
    Files.write(file, garbage);
    ServerProcess server = processes.launch(dir.resolve("corrupt"), Map.of(
        "HELLONET_SEQUENCE_FILE", file.toString()));
    assertEquals(1, server.awaitExit(30), server.log());
    assertTrue(server.log().contains("corrupt") && server.log().contains(file.toString()), server.log());
    assertTrue(Arrays.equals(garbage, Files.readAllBytes(file)), "the file is not reset");
  }

  @Test
  void missingSequenceFileWithCreateIfMissingFalseStopsTheStartNamingTheAbsolutePath() throws Exception {
    Path work = dir.resolve("nofile");
    ServerProcess server = processes.launch(work, Map.of(
        "HELLONET_SEQUENCE_FILE", "data/sequence", "HELLONET_SEQUENCE_CREATEIFMISSING", "false"));
    assertEquals(1, server.awaitExit(30), server.log());
    // Relative in the configuration, absolute in the message: which directory it was looked for in is the point.
    String expected = work.resolve("data/sequence").toAbsolutePath().normalize().toString();
    assertTrue(server.log().contains(expected + " does not exist and sequence.createIfMissing is false"),
        server.log());
    assertTrue(!Files.exists(work.resolve("data")), "nothing created");
  }

  @Test
  void creatingTheSequenceFileIsLoggedWithItsAbsolutePath() throws Exception {
    Path work = dir.resolve("fresh");
    ServerProcess server = processes.start(work, Map.of("HELLONET_SEQUENCE_FILE", "data/sequence"));
    String expected = work.resolve("data/sequence").toAbsolutePath().normalize().toString();
    assertTrue(server.log().contains("CREATED A NEW SEQUENCE FILE at " + expected), server.log());
    assertTrue(Files.isRegularFile(Path.of(expected)));
  }

  @Test
  void misconfigurationStopsTheStartNamingTheVariable() throws Exception {
    ServerProcess server = processes.launch(dir.resolve("badconfig"), Map.of(
        "HELLONET_HELLO_PORT", "9000", "HELLONET_HELLO_MAXREQUESTBYTES", "lots"));
    assertEquals(2, server.awaitExit(30), server.log());
    assertTrue(server.log().contains("HELLONET_HELLO_MAXREQUESTBYTES"), server.log());
  }

  @Test
  void aBridgeOpenToTheNetworkWithoutATokenStopsTheStartWithExitTwo() throws Exception {
    // 192.0.2.1 (TEST-NET-1) is on no interface here: had the check let it through, the bind would fail, not open.
    ServerProcess server = processes.launch(dir.resolve("openbridge"), Map.of(
        "HELLONET_BRIDGE_ENABLED", "true", "HELLONET_BRIDGE_HOST", "192.0.2.1", "HELLONET_BRIDGE_PORT", "0"));
    assertEquals(2, server.awaitExit(30), server.log());
    for (String named : List.of("bridge.host", "\"192.0.2.1\"", "api.token", "bridge.allowWithoutToken")) {
      assertTrue(server.log().contains(named), named + " in:\n" + server.log());
    }
    assertFalse(server.log().contains("hellonet ready"), server.log());
  }

  @Test
  void aPortInUseStopsTheStartNamingTheKeyAndTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      ServerProcess tcp = processes.launch(dir.resolve("tcp-clash"), Map.of(
          "HELLONET_HELLO_PORT", String.valueOf(port), "HELLONET_SEQUENCE_FILE", dir.resolve("s1").toString()));
      assertEquals(1, tcp.awaitExit(30), tcp.log());
      assertTrue(tcp.log().contains("hello.port: cannot listen on TCP 127.0.0.1:" + port + ": Address already in use"),
          tcp.log());

      ServerProcess http = processes.launch(dir.resolve("http-clash"), Map.of(
          "HELLONET_HTTP_PORT", String.valueOf(port), "HELLONET_SEQUENCE_FILE", dir.resolve("s2").toString()));
      assertEquals(1, http.awaitExit(30), http.log());
      assertTrue(http.log().contains("http.port: cannot listen on HTTP 127.0.0.1:" + port + ": Address already in use"),
          http.log());
    }
  }

  private ServerProcess start(String name, Path sequenceFile, Map<String, String> extra) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(extra);
    env.put("HELLONET_SEQUENCE_FILE", sequenceFile.toString());
    return processes.start(dir.resolve(name), env);
  }
}
