package dev.hellonet.testing;

import dev.hellonet.config.ClusterKeys;
import dev.hellonet.config.ClusterSecret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Cluster secrets for tests, made by the real {@link ClusterKeys} (keytool). {@link #shared} is made once per test JVM
 * (a key pair takes keytool a second or so) and removed when the JVM exits; {@link #fresh} makes another, for a
 * process that must not be a member.
 */
public final class TestClusterKeys {
  private TestClusterKeys() {}

  private static final class Shared {
    static final ClusterKeys.KeyFiles FILES = fresh();
  }

  /** The secret every member of a test cluster uses. */
  public static ClusterKeys.KeyFiles shared() {
    return Shared.FILES;
  }

  /** {@link #shared} loaded, as a node loads it. */
  public static ClusterSecret sharedSecret() {
    return load(shared());
  }

  public static ClusterSecret load(ClusterKeys.KeyFiles files) {
    return ClusterSecret.load(files.keyStore().toString(), files.password().toString());
  }

  /** The environment entries that give a node {@code files} as its cluster secret. */
  public static Map<String, String> env(ClusterKeys.KeyFiles files) {
    return Map.of("HELLONET_CLUSTER_KEYSTOREFILE", files.keyStore().toString(),
        "HELLONET_CLUSTER_KEYSTOREPASSWORDFILE", files.password().toString());
  }

  /** A new secret in a directory of its own, removed when the JVM exits. */
  public static ClusterKeys.KeyFiles fresh() {
    try {
      Path dir = Files.createTempDirectory("hellonet-test-keys-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
      return ClusterKeys.generate(dir.resolve("keys"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Temporary files: the system cleans them up eventually.
    }
  }
}
