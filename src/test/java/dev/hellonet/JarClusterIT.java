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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar (an integration test: it runs after {@code package}, on {@code target/hellonet.jar}): a clustered
 * node started with {@code java -jar} and the launcher's JVM flags, as {@code ./hellonet run} and the container image
 * start it, brings its Infinispan cache manager and JGroups channel up from the shaded jar (Infinispan finds its
 * modules, parsers and marshallers through {@code META-INF/services}, which the shade plugin must merge) and prints no
 * JVM warning: Infinispan and JGroups need no module access beyond the native access every start already grants.
 */
class JarClusterIT {
  /** Infinispan's line once the channel is up: the member port is bound and the node is in a view. */
  static final String CHANNEL_UP = "ISPN000079";
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
  void aClusteredNodeStartsFromTheJarWithoutJvmWarnings() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "the packaged jar " + JAR + " (runs after package)");
    List<String> entry = new ArrayList<>();
    if (Runtime.version().feature() >= 24) {
      entry.add("--sun-misc-unsafe-memory-access=allow"); // as the launcher and the image add it
    }
    entry.addAll(List.of("-jar", JAR.toString()));
    String log = awaitStarted(clustered(entry));
    assertTrue(log.contains(CHANNEL_UP), "the JGroups channel came up:\n" + log);
    List<String> warnings = log.lines().filter(l -> l.startsWith("WARNING:")).toList();
    assertEquals(List.of(), warnings, log);
  }

  /** A one-member cluster on loopback, on its own ports and sequence file. */
  private ServerProcess clustered(List<String> entry) throws Exception {
    int clusterPort = ServerProcess.freePort();
    ServerProcess node = ServerProcess.launch(dir.resolve("jar"), Map.of(
        "HELLONET_CLUSTER_KEYSTOREFILE", TestClusterKeys.shared().keyStore().toString(),
        "HELLONET_CLUSTER_KEYSTOREPASSWORDFILE", TestClusterKeys.shared().password().toString(),
        "HELLONET_CLUSTER_ENABLED", "true",
        "HELLONET_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort,
        "HELLONET_CLUSTER_HOST", "127.0.0.1",
        "HELLONET_CLUSTER_PORT", Integer.toString(clusterPort),
        "HELLONET_HELLO_INSTANCES", "1",
        "HELLONET_HTTP_INSTANCES", "1",
        "HELLONET_CRAWLER_INSTANCES", "1",
        "HELLONET_SEQUENCE_FILE", dir.resolve("jar").resolve("sequence").toString()), entry);
    nodes.add(node);
    return node;
  }

  /** The node's log once it is ready, having joined the cluster. */
  private static String awaitStarted(ServerProcess node) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!node.log().contains("hellonet ready")) {
      assertTrue(node.isAlive(), "exited before ready:\n" + node.log());
      assertTrue(System.nanoTime() < deadline, "not ready within 120 s:\n" + node.log());
      Thread.sleep(100);
    }
    return node.log();
  }
}
