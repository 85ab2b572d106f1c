package dev.hellonet.supervisor;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Who a process is in a supervised group: worker {@code index} of {@code count}, with the supervisor's status file.
 * A process started directly (hello.processes = 1) has none.
 */
public record WorkerIdentity(int index, int count, Path statusFile) {
  /**
   * Reads {@code --worker=<i>} and {@code --supervisor-status=<path>} from the command line; empty when absent. The
   * supervisor's own argument is {@link SupervisorLink#fromArgs}'s.
   *
   * @throws IllegalArgumentException naming the argument that is malformed or unknown
   */
  public static Optional<WorkerIdentity> fromArgs(String[] args, int count) {
    Integer index = null;
    Path status = null;
    for (String arg : args) {
      if (arg.startsWith(WorkerCommand.WORKER_ARG)) {
        try {
          index = Integer.parseInt(arg.substring(WorkerCommand.WORKER_ARG.length()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(arg + ": the worker index must be a whole number");
        }
      } else if (arg.startsWith(WorkerCommand.STATUS_ARG)) {
        status = Path.of(arg.substring(WorkerCommand.STATUS_ARG.length()));
      } else if (!arg.startsWith(SupervisorLink.ARG)) {
        throw new IllegalArgumentException("unknown argument " + arg + " (configuration goes in conf/config.json or "
            + "HELLONET_* variables)");
      }
    }
    if (index == null) {
      return Optional.empty();
    }
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException(WorkerCommand.WORKER_ARG + index + ": must be below hello.processes ("
          + count + ")");
    }
    return Optional.of(new WorkerIdentity(index, count, status));
  }

  /** The name this worker goes by in logs and counters. */
  public String name() {
    return "worker-" + index;
  }
}
