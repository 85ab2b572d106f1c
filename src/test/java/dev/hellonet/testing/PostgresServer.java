package dev.hellonet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: Debian's binaries ({@code /usr/lib/postgresql/<version>/bin}), a data
 * directory in a temporary directory this creates and {@link #close()} removes, loopback only, a free high port.
 * {@code initdb} and {@code pg_ctl} refuse to run as root, so as root they run as the {@code postgres} user.
 *
 * <p>Without the binaries the calling test is skipped with a printed reason, except under CI, where it fails
 * ({@link NeededTool}): {@code .ci/run} installs them.
 */
public final class PostgresServer implements AutoCloseable {
  /** The role and password the tests' hellonet nodes log in with; its database is {@link #DATABASE}. */
  public static final String USER = "hellonet";
  public static final String PASSWORD = "hellonet-test-password";
  public static final String DATABASE = "hellonet";
  private static final String SUPERUSER_PASSWORD = "postgres-test-password";

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean asPostgres;
  /** fsync on, for a crash test; the others run with fsync off, since nothing they do outlives the machine. */
  private final boolean durable;
  /** TLS is on (with a self-signed certificate for 127.0.0.1) when openssl could make one. */
  private boolean tls;

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgres, boolean durable) {
    this.durable = durable;
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /** Initialises and starts a server with role {@link #USER} owning database {@link #DATABASE}, fsync off. */
  public static PostgresServer start() throws IOException, InterruptedException {
    return start(false);
  }

  /** As {@link #start()}, but with fsync on (PostgreSQL's default), for a test that crashes it. */
  public static PostgresServer startDurable() throws IOException, InterruptedException {
    return start(true);
  }

  private static PostgresServer start(boolean durable) throws IOException, InterruptedException {
    Path bin = findBinaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("hellonet-pg-");
    if (root) {
      chownToPostgres(dir);
    }
    PostgresServer server = new PostgresServer(bin, dir, ServerProcess.freePort(), root, durable);
    try {
      Path pwfile = dir.resolve("pwfile");
      Files.writeString(pwfile, SUPERUSER_PASSWORD + "\n");
      if (root) {
        chownToPostgres(pwfile);
      }
      server.run(true, "initdb", "-D", server.data.toString(), "-U", "postgres", "-A", "scram-sha-256",
          "--pwfile=" + pwfile, "--no-sync", "-E", "UTF8", "--locale=C");
      server.tls = server.makeCertificate();
      server.startServer();
      server.psql("postgres", "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
      server.createDatabase(DATABASE);
      return server;
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private static Path findBinaries() {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))
          && Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("psql"))).forEach(found::add);
    } catch (IOException none) {
      // no /usr/lib/postgresql at all
    }
    found.sort(Comparator.comparing(Path::toString));
    if (found.isEmpty()) {
      NeededTool.missing("PostgreSQL binaries not found under /usr/lib/postgresql/<version>/bin; install them with"
          + " bench/apt-install.sh postgresql (.ci/run does)");
    }
    return found.get(found.size() - 1);
  }

  private static void chownToPostgres(Path path) throws IOException {
    UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    view.setOwner(lookup.lookupPrincipalByName("postgres"));
    GroupPrincipal group = lookup.lookupPrincipalByGroupName("postgres");
    view.setGroup(group);
  }

  public int port() {
    return port;
  }

  /** Whether the server accepts TLS, with a certificate for 127.0.0.1 signed by {@link #caCertificate()}. */
  public boolean tls() {
    return tls;
  }

  /** The PEM file of the test CA that signed the server's certificate (which names IP 127.0.0.1 only). */
  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /**
   * A throwaway CA and a server certificate it signs for IP address 127.0.0.1 (so {@code verify-full} to
   * {@code localhost} fails its host-name check); the server's key is readable only by the server. False without
   * openssl.
   */
  private boolean makeCertificate() throws IOException, InterruptedException {
    Path openssl = Path.of("/usr/bin/openssl");
    if (!Files.isExecutable(openssl)) {
      System.out.println("PostgresServer: no /usr/bin/openssl, so the test server runs without TLS");
      return false;
    }
    String o = openssl.toString();
    Path ext = dir.resolve("server.ext");
    Files.writeString(ext, "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
    run(true, o, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hellonet test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout", dir.resolve("ca.key").toString(), "-out", caCertificate().toString());
    run(true, o, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", data.resolve("server.key").toString(), "-out", dir.resolve("server.csr").toString());
    run(true, o, "x509", "-req", "-in", dir.resolve("server.csr").toString(), "-CA", caCertificate().toString(),
        "-CAkey", dir.resolve("ca.key").toString(), "-CAcreateserial", "-days", "2", "-extfile", ext.toString(),
        "-out", data.resolve("server.crt").toString());
    run(true, "/bin/chmod", "600", data.resolve("server.key").toString());
    return true;
  }

  /** Starts the server again after {@link #stopImmediately()} or {@link #killPostmaster()}. */
  public void startServer() throws IOException, InterruptedException {
    run(true, "pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
        "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + (durable ? "" : " -c fsync=off")
            + " -c max_connections=200"
            + (tls ? " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key" : ""),
        "start");
  }

  /** {@code pg_ctl stop -m immediate}: no shutdown checkpoint, connections cut, as close to a crash as pg_ctl gets. */
  public void stopImmediately() throws IOException, InterruptedException {
    run(true, "pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
  }

  /**
   * SIGKILL to the postmaster and, in the same moment, to every backend and helper it started: a crash, with nothing
   * written that a process still held in memory (WAL buffers, dirty pages). Returns once all of them are gone, so that
   * {@link #startServer()} (which then runs crash recovery) finds no shared memory still attached.
   */
  public void killPostmaster() throws IOException, InterruptedException {
    long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IOException("no postmaster " + pid));
    List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
    all.add(0, postmaster);
    for (ProcessHandle p : all) {
      p.destroyForcibly();
    }
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IOException("PostgreSQL process " + p.pid() + " outlived SIGKILL by 30 s", e);
      }
    }
  }

  /** The server's log so far (crash recovery says what it replayed). */
  public String log() throws IOException {
    return Files.readString(dir.resolve("server.log"));
  }

  /** Creates a database owned by {@link #USER}. */
  public void createDatabase(String name) throws IOException, InterruptedException {
    psql("postgres", "CREATE DATABASE \"" + name + "\" OWNER " + USER);
  }

  /** Runs one SQL command as the superuser and returns psql's unaligned, tuples-only output. */
  public String psql(String database, String sql) throws IOException, InterruptedException {
    return run(false, "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
        Integer.toString(port), "-U", "postgres", "-d", database, "-c", sql).strip();
  }

  /**
   * Runs a psql script file as the superuser in {@code database}, with {@code env} added to psql's environment (for
   * {@code \getenv}); psql's output, or an IOException with it when the script fails.
   */
  public String psqlFile(String database, Path file, Map<String, String> env) throws IOException, InterruptedException {
    return run(false, env, "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
        Integer.toString(port), "-U", "postgres", "-d", database, "-f", file.toAbsolutePath().toString()).strip();
  }

  /** The environment a hellonet node needs to use this server's {@link #DATABASE} as its sequence store. */
  public Map<String, String> nodeEnvironment(String sequenceName) {
    return Map.of(
        "HELLONET_SEQUENCE_STORE", "postgres",
        "HELLONET_SEQUENCE_POSTGRES_HOST", "127.0.0.1",
        "HELLONET_SEQUENCE_POSTGRES_PORT", Integer.toString(port),
        "HELLONET_SEQUENCE_POSTGRES_DATABASE", DATABASE,
        "HELLONET_SEQUENCE_POSTGRES_USER", USER,
        "HELLONET_SEQUENCE_POSTGRES_NAME", sequenceName,
        "HELLONET_SEQUENCE_POSTGRES_SSLMODE", "disable",
        "HELLONET_SEQUENCE_POSTGRES_PASSWORD", PASSWORD);
  }

  private String run(boolean serverTool, String tool, String... args) throws IOException, InterruptedException {
    return run(serverTool, Map.of(), tool, args);
  }

  private String run(boolean serverTool, Map<String, String> env, String tool, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (serverTool && asPostgres) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(tool.startsWith("/") ? tool : bin.resolve(tool).toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", SUPERUSER_PASSWORD);
    pb.environment().put("LC_ALL", "C");
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(tool + " did not finish within 90 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + text
          + serverLog());
    }
    return text;
  }

  private String serverLog() {
    try {
      return "\nserver log:\n" + Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "";
    }
  }

  /** Stops the server (if it runs) and removes its directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        run(true, "pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
      }
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
