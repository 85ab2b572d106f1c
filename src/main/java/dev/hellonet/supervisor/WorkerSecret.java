package dev.hellonet.supervisor;

import dev.hellonet.config.ClusterKeys;
import dev.hellonet.config.ClusterSecret;
import dev.hellonet.config.ConfigLoader;
import dev.hellonet.config.HellonetConfig.ClusterConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The cluster secret a supervisor's workers share: the configured one ({@code cluster.keyStoreFile}, which they read
 * from the configuration they inherit), or, when none is configured, a throw-away one made at the supervisor's start
 * in a directory only its user can read, handed to the workers as the two {@code HELLONET_CLUSTER_*} paths and removed
 * when the supervisor stops. So even on loopback, a local process that is not one of the workers cannot join them.
 */
final class WorkerSecret {
  private final Path dir;
  private final Map<String, String> environment;

  private WorkerSecret(Path dir, Map<String, String> environment) {
    this.dir = dir;
    this.environment = environment;
  }

  static WorkerSecret forWorkers(ClusterConfig cluster) throws IOException {
    if (!cluster.keyStoreFile().isEmpty()) {
      return new WorkerSecret(null, Map.of());
    }
    Path dir = Files.createTempDirectory("hellonet-cluster-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      ClusterKeys.KeyFiles files = ClusterKeys.generate(dir);
      return new WorkerSecret(dir, Map.of(
          ConfigLoader.variableFor(ClusterSecret.KEY_STORE_KEY), files.keyStore().toString(),
          ConfigLoader.variableFor(ClusterSecret.PASSWORD_KEY), files.password().toString()));
    } catch (IOException | InterruptedException | RuntimeException e) {
      delete(dir);
      throw new IOException("cannot make the workers' cluster secret: " + e.getMessage(), e);
    }
  }

  /** What each worker's environment gets on top of the supervisor's. */
  Map<String, String> environment() {
    return environment;
  }

  /** Removes a throw-away secret; nothing for a configured one. */
  void delete() {
    if (dir != null) {
      delete(dir);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Best effort: the directory is readable by this user only.
    }
  }
}
