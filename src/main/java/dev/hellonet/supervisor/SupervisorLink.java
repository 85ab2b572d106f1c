package dev.hellonet.supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A worker's tie to the supervisor that started it, in two parts that cannot be missed, however late the worker looks
 * and however the supervisor dies. The supervisor names itself on the worker's command line by pid and start time
 * ({@code --supervisor=<pid>:<start ms>}), which the worker checks before it reads its configuration and again just
 * before it binds anything: a pid reused by another process does not pass. And the worker's stdin is a pipe whose
 * other end only the supervisor holds, never written to: the kernel closes it when the supervisor exits, even by
 * SIGKILL, and the worker reads end-of-file from its first instant. Watching the parent process instead would read
 * init as the parent of a worker started just as its supervisor died, and that worker would serve on forever.
 *
 * @param pid the supervisor's process id
 * @param startedAtMs the supervisor's start time as the operating system reports it (epoch ms), 0 if unknown
 */
public record SupervisorLink(long pid, long startedAtMs) {
  /** The argument naming the supervisor: {@code --supervisor=<pid>:<start ms>}. */
  public static final String ARG = "--supervisor=";

  /** The link to the current process, for the workers it starts. */
  public static SupervisorLink ofCurrentProcess() {
    ProcessHandle me = ProcessHandle.current();
    return new SupervisorLink(me.pid(), startOf(me));
  }

  /** The link of the process {@code pid}, if it runs now; for tests that play the supervisor. */
  public static Optional<SupervisorLink> of(long pid) {
    return ProcessHandle.of(pid).map(p -> new SupervisorLink(pid, startOf(p)));
  }

  /**
   * Reads {@code --supervisor=<pid>:<start ms>} from the command line; empty when absent. Other arguments are left to
   * {@link WorkerIdentity#fromArgs}.
   *
   * @throws IllegalArgumentException naming the argument when it is malformed
   */
  public static Optional<SupervisorLink> fromArgs(String[] args) {
    Optional<SupervisorLink> link = Optional.empty();
    for (String arg : args) {
      if (arg.startsWith(ARG)) {
        String value = arg.substring(ARG.length());
        int colon = value.indexOf(':');
        try {
          link = Optional.of(new SupervisorLink(Long.parseLong(value.substring(0, colon)),
              Long.parseLong(value.substring(colon + 1))));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(arg + ": must be " + ARG + "<pid>:<start time in epoch ms>");
        }
      }
    }
    return link;
  }

  /** The command-line argument that names this supervisor to a worker. */
  public String arg() {
    return ARG + pid + ":" + startedAtMs;
  }

  /** Whether the supervisor still runs: its pid is a live process that started when the supervisor did. */
  public boolean alive() {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return false;
    }
    long started = startOf(process.get());
    // An unknown start time on either side cannot tell a reused pid apart; the stdin pipe still can.
    return started == 0 || startedAtMs == 0 || started == startedAtMs;
  }

  /**
   * Completes once {@code stdin} ends (or cannot be read): the supervisor's end of the pipe has closed. The read is a
   * daemon thread's, started now; what the supervisor never writes is not there to read, and anything else is
   * ignored.
   */
  public static CompletableFuture<Void> endOf(InputStream stdin) {
    CompletableFuture<Void> gone = new CompletableFuture<>();
    Thread watch = new Thread(() -> {
      byte[] ignored = new byte[256];
      try {
        while (stdin.read(ignored) >= 0) {
          // nothing is said on this pipe; its end is the message
        }
      } catch (IOException e) {
        // a pipe that cannot be read is no link either
      }
      gone.complete(null);
    }, "hellonet-supervisor-link");
    watch.setDaemon(true);
    watch.start();
    return gone;
  }

  private static long startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  @Override
  public String toString() {
    return "pid " + pid;
  }
}
