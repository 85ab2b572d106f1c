package dev.hellonet.sequence;

import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.PostgresExtension;
import dev.hellonet.testing.PostgresServer;
import dev.hellonet.testing.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hellonet init-sequence}, run as a process the way the Kubernetes Job runs it: creates the sequence once,
 * raises but never lowers its mark, and lets nodes with {@code sequence.createIfMissing=false} start where it says.
 */
class InitSequenceTest {
  @RegisterExtension
  static final PostgresExtension postgres = new PostgresExtension();

  @TempDir
  Path dir;
  private final List<ServerProcess> processes = new ArrayList<>();

  @AfterEach
  void stopProcesses() throws Exception {
    for (ServerProcess p : processes) {
      p.close();
    }
  }

  /** Runs {@code init-sequence args...} to its end; its exit code and output. */
  private Result initSequence(Map<String, String> env, String... args) throws Exception {
    List<String> entry = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), "dev.hellonet.Main",
        "init-sequence"));
    entry.addAll(List.of(args));
    ServerProcess p = ServerProcess.launch(dir.resolve("init"), env, entry);
    processes.add(p);
    int code = p.awaitExit(60);
    return new Result(code, p.log());
  }

  private record Result(int code, String output) {}

  private static Map<String, String> noCreate(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("HELLONET_SEQUENCE_CREATEIFMISSING", "false");
    return all;
  }

  private long firstNumber(Map<String, String> env, String name) throws Exception {
    Map<String, String> one = new HashMap<>(env);
    one.put("HELLONET_HELLO_INSTANCES", "1"); // one supply: its first block starts at the mark
    ServerProcess node = ServerProcess.start(dir.resolve(name), one);
    processes.add(node);
    try (LineClient client = LineClient.connect(node.port())) {
      client.send(LineClient.requests(1));
      String line = client.readLine();
      assertTrue(line != null && line.startsWith("Hello World"), "a number: " + line);
      return Long.parseLong(line.substring("Hello World".length()));
    }
  }

  private static String mark(String name) throws Exception {
    return postgres.server().psql(PostgresServer.DATABASE, "SELECT high_water FROM hellonet_sequence WHERE name = '" + name + "'");
  }

  @Test
  void onPostgresItCreatesOnceRaisesOnRequestAndNeverLowers() throws Exception {
    Map<String, String> env = noCreate(postgres.server().nodeEnvironment("init-pg"));

    ServerProcess refused = ServerProcess.launch(dir.resolve("before"), env);
    processes.add(refused);
    assertEquals(1, refused.awaitExit(60), refused.log());
    assertTrue(refused.log().contains("hellonet init-sequence"), "the refusal says what to run:\n" + refused.log());

    Result created = initSequence(env, "--start", "1000");
    assertEquals(0, created.code(), created.output());
    assertTrue(created.output().contains("created the sequence postgres://"), created.output());
    assertEquals("1000", mark("init-pg"));

    Result again = initSequence(env, "--start", "10");
    assertEquals(0, again.code(), again.output());
    assertTrue(again.output().contains("exists at 1000; left as it is"), again.output());
    assertEquals("1000", mark("init-pg"), "never lowered");

    Result raised = initSequence(env, "--start", "5000");
    assertEquals(0, raised.code(), raised.output());
    assertTrue(raised.output().contains("from 1000 to 5000"), raised.output());
    assertEquals("5000", mark("init-pg"));

    assertEquals(5000, firstNumber(env, "node"), "a node with createIfMissing=false starts at the mark");
    assertFalse(created.output().contains(PostgresServer.PASSWORD), "never the password");
  }

  @Test
  void onAFileStoreItCreatesTheFileAtTheStart() throws Exception {
    Path file = dir.resolve("data/sequence");
    Files.createDirectories(file.getParent());
    Map<String, String> env = noCreate(Map.of("HELLONET_SEQUENCE_FILE", file.toString()));

    Result created = initSequence(env, "--start", "42");
    assertEquals(0, created.code(), created.output());
    assertTrue(created.output().contains("created the sequence file:" + file), created.output());
    assertEquals(0, initSequence(env).code(), "again: nothing to do");

    assertEquals(42, firstNumber(env, "node"));
  }

  @Test
  void aBadStartIsAUsageError() throws Exception {
    Map<String, String> env = Map.of("HELLONET_SEQUENCE_FILE", dir.resolve("never").toString());
    Result zero = initSequence(env, "--start", "0");
    assertEquals(2, zero.code(), zero.output());
    assertTrue(zero.output().contains("--start must be a whole number >= 1"), zero.output());
    assertEquals(2, initSequence(env, "--begin", "3").code());
    assertFalse(Files.exists(dir.resolve("never")), "nothing created on a usage error");
  }
}
