package dev.hellonet.supervisor;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a worker: this very JVM (same java, same JVM options, same class path, so the same jar), with
 * {@code Main} and the worker's index. The configuration reaches workers unchanged through the inherited environment
 * and working directory.
 */
public final class WorkerCommand {
  /** The argument that makes {@code Main} a worker: {@code --worker=<index>}. */
  public static final String WORKER_ARG = "--worker=";
  /** The argument naming the file where the supervisor writes its status: {@code --supervisor-status=<path>}. */
  public static final String STATUS_ARG = "--supervisor-status=";

  private final List<String> prefix;

  private WorkerCommand(List<String> prefix) {
    this.prefix = List.copyOf(prefix);
  }

  /** The command that starts a copy of the current JVM running {@code mainClass}. */
  public static WorkerCommand ofCurrentJvm(String mainClass) {
    return of(ManagementFactory.getRuntimeMXBean().getInputArguments(), mainClass);
  }

  /** The command that starts a copy of the current JVM, had it been started with {@code jvmOptions}. */
  static WorkerCommand of(List<String> jvmOptions, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
        "java").toString()));
    // The supervisor's own JVM options (heap, GC, native access) apply to each worker, minus a debugger agent that
    // would make every worker try to listen on the same debug port.
    for (String arg : jvmOptions) {
      if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    return new WorkerCommand(command);
  }

  /** The full command for worker {@code index}, naming the current process as its supervisor. */
  public List<String> forWorker(int index, Path statusFile) {
    List<String> command = new ArrayList<>(prefix);
    command.add(WORKER_ARG + index);
    command.add(SupervisorLink.ofCurrentProcess().arg());
    command.add(STATUS_ARG + statusFile);
    return command;
  }
}
