package dev.hellonet.supervisor;

import dev.hellonet.config.HellonetConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The nginx master of hellonet: with {@code hello.processes} N > 1 the started process launches N worker JVMs of the
 * same jar and configuration, keeps them running (restarting with back-off), stops them gracefully on SIGTERM or
 * SIGINT and exits 0 once they all have. It binds no port and holds no client connection; each worker binds the
 * ports itself with {@code SO_REUSEPORT}, so the kernel spreads connections over the workers.
 */
public final class Supervisor {
  private static final Logger LOG = Logger.getLogger(Supervisor.class.getName());
  /** Time beyond a worker's own stop budget before it is killed. */
  private static final long STOP_MARGIN_MS = 15_000;

  private final HellonetConfig config;
  private final WorkerCommand command;
  private final List<WorkerKeeper> keepers = new ArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
  private Vertx vertx;
  private StatusBoard board;
  private WorkerSecret secret;

  public Supervisor(HellonetConfig config, WorkerCommand command) {
    this.config = config;
    this.command = command;
  }

  /** Starts the workers; the returned future completes with the process's exit code once {@link #stop} is done. */
  public CompletableFuture<Integer> start() throws IOException {
    int n = config.scale().processes();
    board = StatusBoard.createIn(Path.of(System.getProperty("java.io.tmpdir")), ProcessHandle.current().pid(), n);
    Path statusFile = board.file();
    secret = WorkerSecret.forWorkers(config.cluster());
    // The supervisor does little: one event loop, a few virtual threads.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    long stopTimeoutMs = config.shutdown().drainDelayMs() + config.shutdown().timeoutMs() + STOP_MARGIN_MS;
    List<Future<String>> deployed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      WorkerKeeper keeper = new WorkerKeeper(i, command.forWorker(i, statusFile), secret.environment(), board,
          stopTimeoutMs);
      keepers.add(keeper);
      deployed.add(vertx.deployVerticle(keeper,
          new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD)));
    }
    Future.all(deployed).onFailure(e -> {
      LOG.severe("supervisor: cannot start the workers: " + e);
      stop();
    });
    LOG.info("supervisor (pid " + ProcessHandle.current().pid() + "): " + n + " worker processes, status in "
        + statusFile);
    return exitCode;
  }

  /**
   * SIGTERM to every worker, then waits for all of them; the exit code is 0 when every worker stopped cleanly (exit
   * 0), else 1. Idempotent.
   */
  public void stop() {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    LOG.info("supervisor: stopping " + keepers.size() + " workers (SIGTERM each, waiting for their graceful stop)");
    List<Future<Integer>> codes = new ArrayList<>();
    for (WorkerKeeper keeper : keepers) {
      codes.add(keeper.stopWorker());
    }
    Future.join(codes).onComplete(ar -> {
      int status = 0;
      for (Future<Integer> code : codes) {
        Integer c = code.succeeded() ? code.result() : Integer.valueOf(1);
        if (c != null && c != 0 && c != -1) {
          status = 1;
        }
      }
      int result = status;
      board.delete();
      secret.delete();
      LOG.info("supervisor: all workers stopped" + (result == 0 ? " cleanly" : "; some did not stop cleanly"));
      // Not after the close: this runs on a keeper's virtual thread, and Vert.x's close waits up to 10 s for its
      // virtual threads to end, this one included, so the process would sit 10 s with nothing left to do. The close
      // carries on behind the exit code.
      exitCode.complete(result);
      vertx.close();
    });
  }

  /** The status file the workers read; for tests. */
  public Path statusFile() {
    return board.file();
  }

  /** Blocks until the supervisor has stopped; the exit code. */
  public int awaitExit(long timeout, TimeUnit unit) throws Exception {
    return exitCode.get(timeout, unit);
  }
}
