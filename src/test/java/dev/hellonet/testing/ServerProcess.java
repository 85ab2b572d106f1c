package dev.hellonet.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A hellonet node in its own JVM ({@code dev.hellonet.Main}), configured through HELLONET_* variables, on loopback. */
public final class ServerProcess implements AutoCloseable {
  /**
   * How long a supervisor's workers may take to stop after it was killed: the graceful stop of an idle worker, on a
   * busy machine.
   */
  static final long DESCENDANTS_GRACE_S = 45;
  private final Process process;
  private final Path log;
  private final int port;

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts a node in {@code workDir} and waits until it accepts connections (or fails with its log). */
  public static ServerProcess start(Path workDir, Map<String, String> env) throws IOException, InterruptedException {
    ServerProcess p = launch(workDir, env);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!p.process.isAlive()) {
        throw new IllegalStateException("server exited with " + p.process.exitValue() + ":\n" + p.log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", p.port), 200);
        return p;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.kill();
    throw new IllegalStateException("server did not listen within 30 s:\n" + p.log());
  }

  /** Starts a node without waiting for it, for tests of start-up failures. */
  public static ServerProcess launch(Path workDir, Map<String, String> env) throws IOException {
    return launch(workDir, env, List.of("-cp", System.getProperty("java.class.path"), "dev.hellonet.Main"));
  }

  /**
   * Starts a node without waiting for it, with {@code entry} after the JVM options: {@code -jar <jar>} starts it as
   * users do, with what the jar's manifest says.
   */
  public static ServerProcess launch(Path workDir, Map<String, String> env, List<String> entry) throws IOException {
    Files.createDirectories(workDir);
    int port = env.containsKey("HELLONET_HELLO_PORT") ? Integer.parseInt(env.get("HELLONET_HELLO_PORT")) : freePort();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(TestRun.jvmOptions());
    command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx256m"));
    command.addAll(entry);
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HELLONET_"));
    Map<String, String> all = new HashMap<>();
    all.put("HELLONET_HELLO_HOST", "127.0.0.1");
    all.put("HELLONET_HELLO_PORT", Integer.toString(port));
    all.put("HELLONET_HELLO_INSTANCES", "2");
    all.put("HELLONET_HTTP_HOST", "127.0.0.1");
    all.put("HELLONET_HTTP_PORT", "0");
    all.putAll(env);
    pb.environment().putAll(all);
    Path log = Files.createTempFile(workDir, "server-", ".log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new ServerProcess(pb.start(), log, port);
  }

  /**
   * A port that is free now, drawn at random below Linux's ephemeral range (32768 and up). Asking the kernel for
   * port 0 hands out ephemeral ports, which it may hand out again at once: a test that chose a cluster port that way
   * saw the next choice, its hello port, come back the same. Ports below the range are also never taken by an
   * outgoing connection in the meantime.
   */
  public static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      try (ServerSocket s = new ServerSocket(port)) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port found in 20000-31999 after 200 tries");
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** Closes the process's stdin: what a worker sees when its supervisor dies, whatever kills it. */
  public void closeInput() throws IOException {
    process.getOutputStream().close();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM: the graceful stop. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL: no chance to clean up. */
  public void kill() {
    process.destroyForcibly();
  }

  /** Waits for the exit and returns its code, or fails after {@code seconds}. */
  public int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("server did not exit within " + seconds + " s:\n" + log());
    }
    return process.exitValue();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * SIGKILL, then waits for what it started (a supervisor's workers) to end on their own, as they must when their
   * supervisor is gone; one still running after {@link #DESCENDANTS_GRACE_S} is killed and fails the test.
   */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> started = process.descendants().toList();
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DESCENDANTS_GRACE_S);
    List<Long> outlived = new ArrayList<>();
    for (ProcessHandle child : started) {
      try {
        child.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        outlived.add(child.pid());
        child.destroyForcibly();
      }
    }
    if (!outlived.isEmpty()) {
      throw new AssertionError("processes " + outlived + " outlived their parent " + process.pid() + " by "
          + DESCENDANTS_GRACE_S + " s (killed now):\n" + log());
    }
  }
}
