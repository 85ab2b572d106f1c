package dev.hellonet.config;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The cluster's secret: a PKCS12 key store ({@code cluster.keyStoreFile}, opened with the password in
 * {@code cluster.keyStorePasswordFile}) holding one key pair and its self-signed certificate under {@link #ALIAS}.
 * Every member presents that certificate and trusts only it (mutual TLS) on the member port, where membership and the
 * cluster's maps travel, and on the event bus, so a process without the key can neither join the membership, read or
 * write the cluster's data, nor connect to an event-bus port. Read once from files (a mounted Secret), never from
 * the environment or a config file; its {@link #toString} names the file and the certificate's fingerprint only.
 */
public final class ClusterSecret {
  /** The key pair's alias in the key store; {@link ClusterKeys} writes it, {@link #load} requires it. */
  public static final String ALIAS = "hellonet-cluster";
  /** Config key of the key store file. */
  public static final String KEY_STORE_KEY = "cluster.keyStoreFile";
  /** Config key of the file holding the key store's password. */
  public static final String PASSWORD_KEY = "cluster.keyStorePasswordFile";

  private final Path file;
  private final KeyStore store;
  private final byte[] bytes;
  private final char[] password;
  private final String fingerprint;

  private ClusterSecret(Path file, KeyStore store, byte[] bytes, char[] password, String fingerprint) {
    this.file = file;
    this.store = store;
    this.bytes = bytes;
    this.password = password;
    this.fingerprint = fingerprint;
  }

  /** Reads and checks both files; a {@link ConfigException} names the key whose file is missing or wrong. */
  public static ClusterSecret load(String keyStoreFile, String passwordFile) {
    if (keyStoreFile.isBlank()) {
      throw new ConfigException(KEY_STORE_KEY + ": required when the node joins a cluster (the key every member "
          + "proves it holds); make one with ./hellonet cluster-keys DIR and set " + KEY_STORE_KEY + " and "
          + PASSWORD_KEY + " to the two files it writes");
    }
    if (passwordFile.isBlank()) {
      throw new ConfigException(PASSWORD_KEY + ": required with " + KEY_STORE_KEY + " (the file holding the key "
          + "store's password)");
    }
    Path file = Path.of(keyStoreFile).toAbsolutePath();
    byte[] bytes = read(KEY_STORE_KEY, file);
    char[] password = passwordText(read(PASSWORD_KEY, Path.of(passwordFile).toAbsolutePath()));
    KeyStore store;
    try {
      store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(bytes), password);
    } catch (IOException | GeneralSecurityException e) {
      // Wrong password and a file that is no PKCS12 store look alike to the JDK.
      throw new ConfigException(KEY_STORE_KEY + ": " + file + " does not open as a PKCS12 key store with the "
          + "password in " + PASSWORD_KEY + " (wrong password, or not a key store made by ./hellonet cluster-keys): "
          + e.getMessage());
    }
    try {
      if (!store.isKeyEntry(ALIAS) || store.getCertificate(ALIAS) == null) {
        throw new ConfigException(KEY_STORE_KEY + ": " + file + " holds no key pair under the alias \"" + ALIAS
            + "\"; make the key store with ./hellonet cluster-keys DIR");
      }
      // The key must open with the store's password (the TLS key managers need it).
      store.getKey(ALIAS, password);
      X509Certificate cert = (X509Certificate) store.getCertificate(ALIAS);
      cert.checkValidity();
      String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()))
          .substring(0, 16);
      return new ClusterSecret(file, store, bytes, password, fingerprint);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(KEY_STORE_KEY + ": " + file + ": the key \"" + ALIAS + "\" cannot be used: " + e);
    }
  }

  private static byte[] read(String key, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(key + ": cannot read " + file + ": " + e);
    }
  }

  /** A mounted secret's text, without the trailing newline such files usually end with. */
  private static char[] passwordText(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    text = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
        : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    if (text.isEmpty()) {
      throw new ConfigException(PASSWORD_KEY + ": the file is empty");
    }
    return text.toCharArray();
  }

  /** The key manager that presents the cluster's certificate, for both sides of a TLS connection. */
  public X509ExtendedKeyManager keyManager() {
    try {
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return (X509ExtendedKeyManager) factory.getKeyManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cluster key store: " + e, e);
    }
  }

  /** The trust manager that accepts only the cluster's own certificate (and what its key signed). */
  public X509ExtendedTrustManager trustManager() {
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry(ALIAS, certificate());
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      return (X509ExtendedTrustManager) factory.getTrustManagers()[0];
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cluster key store: " + e, e);
    }
  }

  private Certificate certificate() throws GeneralSecurityException {
    return store.getCertificate(ALIAS);
  }

  /** The key store as read, for TLS options that must be plain data (Vert.x copies event bus options as JSON). */
  public byte[] keyStoreBytes() {
    return bytes.clone();
  }

  /** The key store's password, for the same. */
  public String password() {
    return new String(password);
  }

  /** A PKCS12 trust store holding the cluster's certificate alone, opened with {@link #password}. */
  public byte[] trustStoreBytes() {
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry(ALIAS, certificate());
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      trusted.store(out, password);
      return out.toByteArray();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cluster trust store: " + e, e);
    }
  }

  /** The first 16 hex digits of the certificate's SHA-256: tells which key a node uses without showing it. */
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return "ClusterSecret[" + file + ", certificate " + fingerprint + "]";
  }
}
