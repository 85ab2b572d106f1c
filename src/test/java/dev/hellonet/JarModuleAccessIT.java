package dev.hellonet;

import dev.hellonet.testing.ServerProcess;
import dev.hellonet.testing.TestClusterKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar (an integration test: it runs after {@code package}, on {@code target/hellonet.jar}): a clustered
 * node started with {@code java -jar}, as {@code ./hellonet run} and the container image start it, gives Hazelcast the
 * module access it asks for through the manifest, so Hazelcast does not warn. The same jar started with {@code -cp}
 * (no manifest attributes, no flags) does warn, which shows that the check sees the warning when it is there.
 */
class JarModuleAccessIT {
  /** The start of Hazelcast's warning (ModularJavaUtils, Hazelcast 5.3). */
  static final String WARNING = "Hazelcast is starting in a Java modular environment";
  private static final Path JAR = Path.of("target", "hellonet.jar").toAbsolutePath();

  @TempDir
  Path dir;
  private final List<ServerProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ServerProcess n : nodes) {
      n.close();
    }
  }

  @Test
  void aClusteredNodeStartedFromTheJarGetsHazelcastsModuleAccess() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "the packaged jar " + JAR + " (runs after package)");
    ServerProcess byJar = clustered("jar", List.of("-jar", JAR.toString()));
    ServerProcess byClassPath = clustered("cp", List.of("-cp", JAR.toString(), "dev.hellonet.Main"));

    String jarLog = awaitStarted(byJar);
    String classPathLog = awaitStarted(byClassPath);
    assertFalse(jarLog.contains(WARNING), jarLog);
    assertTrue(classPathLog.contains(WARNING), "without the manifest's attributes Hazelcast warns:\n" + classPathLog);
  }

  /** A one-member cluster on loopback, on its own ports and sequence file. */
  private ServerProcess clustered(String name, List<String> entry) throws Exception {
    int clusterPort = ServerProcess.freePort();
    ServerProcess node = ServerProcess.launch(dir.resolve(name), Map.of(
        "HELLONET_CLUSTER_KEYSTOREFILE", TestClusterKeys.shared().keyStore().toString(),
        "HELLONET_CLUSTER_KEYSTOREPASSWORDFILE", TestClusterKeys.shared().password().toString(),
        "HELLONET_CLUSTER_ENABLED", "true",
        "HELLONET_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort,
        "HELLONET_CLUSTER_HOST", "127.0.0.1",
        "HELLONET_CLUSTER_PORT", Integer.toString(clusterPort),
        "HELLONET_HELLO_INSTANCES", "1",
        "HELLONET_HTTP_INSTANCES", "1",
        "HELLONET_CRAWLER_INSTANCES", "1",
        "HELLONET_SEQUENCE_FILE", dir.resolve(name).resolve("sequence").toString()), entry);
    nodes.add(node);
    return node;
  }

  /** The node's log once it is ready, having joined the cluster (so Hazelcast has run its check). */
  private static String awaitStarted(ServerProcess node) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!node.log().contains("hellonet ready")) {
      assertTrue(node.isAlive(), "exited before ready:\n" + node.log());
      assertTrue(System.nanoTime() < deadline, "not ready within 120 s:\n" + node.log());
      Thread.sleep(100);
    }
    String log = node.log();
    assertTrue(log.contains("is STARTED"), "Hazelcast started:\n" + log);
    return log;
  }
}
