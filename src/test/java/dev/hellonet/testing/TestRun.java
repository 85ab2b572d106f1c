package dev.hellonet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What marks the processes one test run starts, so that the check at its end ({@link LeftoversCheck}) finds its own and
 * none of another run's on the same machine: a system property on the command line of every server process, which a
 * supervisor passes on to its workers with its other JVM options, and a temporary directory of the run's own for them.
 */
public final class TestRun {
  /** The system property that carries {@link #ID}. */
  public static final String PROPERTY = "hellonet.testRun";
  /** This run's mark: one per test JVM. */
  public static final String ID = UUID.randomUUID().toString();
  /** The command-line argument that marks a process of this run. */
  public static final String MARK = "-D" + PROPERTY + "=" + ID;
  /**
   * The {@code java.io.tmpdir} of the run's server processes: what they leave in it (a supervisor's status among
   * others) is this run's, not another's.
   */
  public static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"), "hellonet-test-" + ID);

  private TestRun() {}

  /** The JVM options that put a server process in this run: the mark first, then its temporary directory. */
  public static List<String> jvmOptions() {
    try {
      Files.createDirectories(TMP);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the test run's temporary directory " + TMP, e);
    }
    return List.of(MARK, "-Djava.io.tmpdir=" + TMP);
  }

  /** The live processes of this run, found by their command line. */
  public static List<ProcessHandle> processes() {
    return ProcessHandle.allProcesses().filter(TestRun::marked).toList();
  }

  static boolean marked(ProcessHandle process) {
    return process.isAlive() && commandLine(process).contains(MARK);
  }

  /**
   * The process's command line, from /proc where there is one: ProcessHandle.Info gives no arguments at all for a
   * command line over 4 KiB, which a worker's (its class path) is. Elsewhere, Info's words; the mark comes first, within
   * what it keeps.
   */
  static List<String> commandLine(ProcessHandle process) {
    try {
      byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
      return List.of(new String(cmdline, StandardCharsets.ISO_8859_1).split("\0"));
    } catch (IOException | RuntimeException noProc) {
      return process.info().commandLine().map(line -> List.of(line.split(" "))).orElse(List.of());
    }
  }
}
