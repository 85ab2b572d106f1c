package dev.hellonet.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The last word of every test run, however many tests it ran: it fails the run if a process the run started outlived
 * it (a worker whose supervisor was killed included, which has init for a parent by then and is found by its
 * {@link TestRun} mark), or if a supervisor's status was left in the run's temporary directory. What it finds it then
 * kills and removes, so that a failing run leaves nothing behind either. Registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}.
 */
public final class LeftoversCheck implements LauncherSessionListener {
  /**
   * How long the run's processes may take to end on their own after the last test: a worker whose supervisor was
   * killed at a test's end stops gracefully, which takes a few seconds on a busy machine.
   */
  static final long GRACE_SECONDS = 60;

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    List<String> problems = check(GRACE_SECONDS);
    if (!problems.isEmpty()) {
      String report = "the test run left behind:\n  " + String.join("\n  ", problems);
      System.err.println("LeftoversCheck: " + report);
      throw new IllegalStateException(report);
    }
  }

  /** What the run left behind, each said in one line; the processes are killed and the files removed meanwhile. */
  static List<String> check(long graceSeconds) {
    List<String> problems = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
    List<ProcessHandle> left = leftProcesses();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      sleep(200);
      left = leftProcesses();
    }
    for (ProcessHandle p : left) {
      problems.add("process " + describe(p) + ", still running " + graceSeconds + " s after the last test: killed");
      p.destroyForcibly();
    }
    for (ProcessHandle p : left) {
      p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    if (Files.isDirectory(TestRun.TMP)) {
      try (Stream<Path> entries = Files.list(TestRun.TMP)) {
        entries.filter(e -> e.getFileName().toString().startsWith("hellonet-supervisor-"))
            .forEach(e -> problems.add("a supervisor's status " + e + ": removed"));
      } catch (IOException e) {
        problems.add("the run's temporary directory " + TestRun.TMP + " cannot be listed: " + e);
      }
      removeTree(TestRun.TMP);
    }
    return problems;
  }

  /** The run's processes: marked ones wherever they are now, and children of this JVM not ended yet. */
  private static List<ProcessHandle> leftProcesses() {
    Set<ProcessHandle> left = new LinkedHashSet<>(TestRun.processes());
    ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).forEach(left::add);
    return List.copyOf(left);
  }

  private static String describe(ProcessHandle p) {
    List<String> line = TestRun.commandLine(p);
    // The main class and what follows it say what the process is; the JVM options before are long and alike.
    int from = 0;
    for (int i = 0; i < line.size(); i++) {
      if (line.get(i).startsWith("dev.hellonet.") || line.get(i).equals("-jar")) {
        from = i;
        break;
      }
    }
    return p.pid() + " (parent " + p.parent().map(ProcessHandle::pid).map(String::valueOf).orElse("none") + ": "
        + (line.isEmpty() ? "?" : line.get(0) + (from > 1 ? " ... " : " ") + String.join(" ", line.subList(
        Math.max(from, 1), line.size()))) + ")";
  }

  private static void removeTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      System.err.println("LeftoversCheck: cannot remove " + root + ": " + e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
