package dev.hellonet.supervisor;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps one worker process alive: start it, wait for it to exit, wait out the back-off, start it again, until asked to
 * stop; then SIGTERM it and wait for its graceful exit. Deployed on a virtual thread, so the loop reads as the
 * sequence it is, with {@code await} where it waits; none of it is on a request's path.
 */
final class WorkerKeeper extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(WorkerKeeper.class.getName());

  private final int index;
  private final List<String> command;
  /** Added to the inherited environment: the paths of a throw-away cluster secret ({@link WorkerSecret}). */
  private final Map<String, String> environment;
  private final StatusBoard board;
  private final long stopTimeoutMs;
  private final Promise<Void> stopRequested = Promise.promise();
  private final Promise<Integer> stopped = Promise.promise();
  private int restarts;
  private Integer lastExit;
  /**
   * The supervisor's end of the running worker's stdin, held here until the worker has exited: the worker stops when
   * it reads end-of-file, so it must not be closed (nor collected, which closes it) before then.
   */
  private OutputStream link;

  /**
   * @param stopTimeoutMs how long a worker may take to stop gracefully after SIGTERM before it is killed
   */
  WorkerKeeper(int index, List<String> command, Map<String, String> environment, StatusBoard board,
               long stopTimeoutMs) {
    this.index = index;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.board = board;
    this.stopTimeoutMs = stopTimeoutMs;
  }

  @Override
  public Future<?> start() {
    // The loop runs as a task of its own so that the deployment completes; on a virtual-thread context, await() lets
    // other tasks (the stop) run meanwhile.
    context.runOnContext(v -> keep());
    return Future.succeededFuture();
  }

  /** Asks the worker to stop (SIGTERM) and completes with its exit code once it has exited, or -1 if it never ran. */
  Future<Integer> stopWorker() {
    stopRequested.tryComplete();
    return stopped.future();
  }

  private void keep() {
    Backoff backoff = new Backoff();
    while (true) {
      long startedAt = System.currentTimeMillis();
      Process process = launch();
      if (process != null) {
        report(process.pid(), WorkerState.RUNNING, startedAt);
        Future<Process> exit = Future.fromCompletionStage(process.onExit(), context);
        Future.any(exit, stopRequested.future()).await();
        if (stopRequested.future().isComplete() && !exit.isComplete()) {
          stopped.complete(terminate(process, exit, startedAt));
          return;
        }
        lastExit = process.exitValue();
        unlink();
        LOG.warning("worker " + index + " (pid " + process.pid() + ") exited with " + lastExit + " after "
            + (System.currentTimeMillis() - startedAt) + " ms");
      }
      if (stopRequested.future().isComplete()) {
        report(-1, WorkerState.STOPPED, 0);
        stopped.complete(lastExit == null ? -1 : lastExit);
        return;
      }
      long delay = backoff.afterExit(System.currentTimeMillis() - startedAt);
      restarts++;
      report(-1, WorkerState.BACKING_OFF, 0);
      if (delay > 0) {
        LOG.info("worker " + index + ": restarting in " + delay + " ms");
        Future.any(vertx.timer(delay, TimeUnit.MILLISECONDS), stopRequested.future()).await();
      }
      if (stopRequested.future().isComplete()) {
        report(-1, WorkerState.STOPPED, 0);
        stopped.complete(lastExit);
        return;
      }
    }
  }

  private Process launch() {
    try {
      // Workers share the supervisor's stdout and stderr: one log for the host, as with nginx's workers. Their stdin
      // is the pipe of SupervisorLink.
      ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE)
          .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().putAll(environment);
      Process process = builder.start();
      link = process.getOutputStream();
      return process;
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "worker " + index + ": cannot launch " + command.get(0) + ": " + e);
      lastExit = -1;
      return null;
    }
  }

  private int terminate(Process process, Future<Process> exit, long startedAt) {
    report(process.pid(), WorkerState.STOPPING, startedAt);
    process.destroy(); // SIGTERM: the worker's graceful stop
    try {
      exit.await(stopTimeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.severe("worker " + index + " (pid " + process.pid() + ") did not stop within " + stopTimeoutMs
          + " ms of SIGTERM; killing it");
      process.destroyForcibly();
      exit.await();
    }
    lastExit = process.exitValue();
    unlink();
    report(-1, WorkerState.STOPPED, 0);
    return lastExit;
  }

  /** Closes the pipe of a worker that has exited. */
  private void unlink() {
    try {
      link.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "worker " + index + ": closing its stdin", e);
    }
    link = null;
  }

  private void report(long pid, WorkerState state, long startedAt) {
    board.update(new WorkerReport(index, pid, state, restarts, lastExit, startedAt));
  }
}
