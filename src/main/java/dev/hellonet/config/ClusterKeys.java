package dev.hellonet.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a cluster's secret: {@value #KEY_STORE} (a PKCS12 key store with a fresh EC P-256 key pair and its
 * self-signed certificate under {@link ClusterSecret#ALIAS}) and {@value #PASSWORD} (its random password), both
 * readable by their owner only. The JDK's {@code keytool} does the work (the JDK has no public API that signs a
 * certificate); the password reaches it as a file, never on its command line. {@code ./hellonet cluster-keys DIR}
 * runs {@link #main}; a supervisor makes a throw-away pair for its workers the same way.
 */
public final class ClusterKeys {
  /** The key store's file name in the directory. */
  public static final String KEY_STORE = "cluster.p12";
  /** The password's file name in the directory. */
  public static final String PASSWORD = "cluster.password";
  /** The certificate's lifetime; a cluster's secret is replaced by making a new one and restarting every member. */
  static final int VALIDITY_DAYS = 3650;

  private ClusterKeys() {}

  /** The two files of a secret in {@code dir}. */
  public record KeyFiles(Path keyStore, Path password) {}

  /** Writes a new secret into {@code dir} (created private if missing); refuses to replace existing files. */
  public static KeyFiles generate(Path dir) throws IOException, InterruptedException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path store = dir.resolve(KEY_STORE);
    Path password = dir.resolve(PASSWORD);
    for (Path p : List.of(store, password)) {
      if (Files.exists(p)) {
        throw new FileAlreadyExistsException(p + " (a cluster's members need the same secret: keep it, or remove "
            + "both files to make a new one)");
      }
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    Files.writeString(password, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n",
        StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-noprompt",
        "-alias", ClusterSecret.ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
        "-dname", "CN=" + ClusterSecret.ALIAS, "-validity", Integer.toString(VALIDITY_DAYS),
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass:file", password.toString())
        .redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      Files.deleteIfExists(store);
      Files.deleteIfExists(password);
      throw new IOException(keytool + " failed: " + output.strip());
    }
    Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
    return new KeyFiles(store, password);
  }

  /** {@code cluster-keys DIR}: writes a new secret into DIR and says which keys to point at it. */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: cluster-keys DIR   (writes DIR/" + KEY_STORE + " and DIR/" + PASSWORD + ")");
      System.exit(2);
    }
    KeyFiles files;
    try {
      files = generate(Path.of(args[0]));
    } catch (IOException e) {
      System.err.println("cluster-keys: " + e.getMessage());
      System.exit(1);
      return;
    }
    ClusterSecret secret = ClusterSecret.load(files.keyStore().toString(), files.password().toString());
    System.out.println("wrote " + files.keyStore() + " and " + files.password() + " (certificate "
        + secret.fingerprint() + ")");
    System.out.println("give every member of the cluster both files, readable by hellonet only, and set "
        + ClusterSecret.KEY_STORE_KEY + " and " + ClusterSecret.PASSWORD_KEY + " to them");
  }
}
