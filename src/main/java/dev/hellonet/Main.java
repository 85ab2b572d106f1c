package dev.hellonet;

import dev.hellonet.app.Hellonet;
import dev.hellonet.app.InitSequence;
import dev.hellonet.config.ConfigException;
import dev.hellonet.config.ConfigLoader;
import dev.hellonet.config.HellonetConfig;
import dev.hellonet.log.LogSetup;
import dev.hellonet.supervisor.StatusBoard;
import dev.hellonet.supervisor.Supervisor;
import dev.hellonet.supervisor.SupervisorLink;
import dev.hellonet.supervisor.WorkerCommand;
import dev.hellonet.supervisor.WorkerIdentity;
import sun.misc.Signal;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts one hellonet node from the configuration and stops it gracefully on SIGTERM or SIGINT; with
 * {@code hello.processes} > 1, starts the supervisor instead, which runs this same class once per worker. With
 * {@code init-sequence} as its first argument, creates the sequence store's sequence and exits ({@link InitSequence}).
 */
public final class Main {
  private static final Logger LOG = Logger.getLogger(Main.class.getName());
  /**
   * Held here because java.util.logging keeps loggers weakly: a filter set on a logger that is then collected is lost.
   * vertx-micrometer-metrics 5.0.10 registers its shared gauges (vertx.eventbus.handlers, vertx.pool.*) once per
   * handler or pool and keeps their values in one adder per meter id, so the values are right; Micrometer 1.13.9+
   * warns about the second registration all the same (vert-x3/vertx-micrometer-metrics#259). Only that warning, for
   * Vert.x's own meters, is dropped; any other from the registry still shows.
   */
  private static final Logger METER_REGISTRY = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  static {
    METER_REGISTRY.setFilter(record -> !isVertxDuplicateGaugeWarning(record.getMessage()));
  }

  static boolean isVertxDuplicateGaugeWarning(String message) {
    return message != null && message.startsWith("This Gauge has been already registered (MeterId{name='vertx.");
  }
  /** Extra time beyond shutdown.timeoutMs for closing the store and Vert.x before giving up. */
  private static final long STOP_MARGIN_MS = 5_000;
  private static final long START_TIMEOUT_S = 60;

  private Main() {}

  public static void main(String[] args) {
    // First of all, before even the configuration: a worker watches its supervisor from its first instant, and one
    // whose supervisor is already gone goes no further.
    Optional<SupervisorLink> supervisor;
    try {
      supervisor = SupervisorLink.fromArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println("hellonet: " + e.getMessage());
      System.exit(2);
      return;
    }
    CompletableFuture<Void> supervisorGone = supervisor.isPresent() ? SupervisorLink.endOf(System.in)
        : new CompletableFuture<>();
    if (supervisor.isPresent() && !supervisor.get().alive()) {
      System.err.println("hellonet: the supervisor (" + supervisor.get() + ") that started this worker is gone: not"
          + " starting");
      clearStatusOfGoneSupervisor(args);
      System.exit(1);
      return;
    }
    HellonetConfig config;
    try {
      config = ConfigLoader.load(System.getenv());
    } catch (ConfigException e) {
      System.err.println("hellonet: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogSetup.install(config.log());
    if (args.length > 0 && InitSequence.names(args[0])) {
      System.exit(InitSequence.run(config, java.util.Arrays.copyOfRange(args, 1, args.length), System.out,
          System.err));
      return;
    }
    Optional<WorkerIdentity> worker;
    try {
      worker = WorkerIdentity.fromArgs(args, config.scale().processes());
    } catch (IllegalArgumentException e) {
      System.err.println("hellonet: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (worker.isPresent() != supervisor.isPresent()) {
      System.err.println("hellonet: " + WorkerCommand.WORKER_ARG + "<i> and " + SupervisorLink.ARG + "<pid>:<start>"
          + " go together: workers are started by the supervisor (hello.processes > 1), not by hand");
      System.exit(2);
      return;
    }
    if (worker.isEmpty() && config.scale().processes() > 1) {
      System.exit(supervise(config));
      return;
    }

    // The handlers go in before the start: a SIGTERM that arrives while the node is starting (a Kubernetes rollout can
    // send one at any moment) waits for the start to finish and then stops it cleanly, instead of killing the JVM
    // with the default exit 143 halfway through.
    CompletableFuture<Hellonet> started = new CompletableFuture<>();
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return;
      }
      LOG.info("stopping: not ready any more" + (config.shutdown().drainDelayMs() > 0 ? ", serving "
          + config.shutdown().drainDelayMs() + " ms more (shutdown.drainDelayMs)" : "")
          + "; then no new connections, answering what was read (at most " + config.shutdown().timeoutMs() + " ms)");
      int status = 0;
      Hellonet node = null;
      try {
        node = started.get(START_TIMEOUT_S, TimeUnit.SECONDS);
        node.stop().toCompletionStage().toCompletableFuture()
            .get(config.shutdown().drainDelayMs() + config.shutdown().timeoutMs() + STOP_MARGIN_MS,
                TimeUnit.MILLISECONDS);
        LOG.info("stopped cleanly");
      } catch (TimeoutException e) {
        LOG.severe("graceful stop did not complete in " + (config.shutdown().drainDelayMs()
            + config.shutdown().timeoutMs() + STOP_MARGIN_MS) + " ms: stuck " + (node == null ? "waiting for the start to finish" : node.stopPhase()));
        status = 1;
      } catch (Throwable e) {
        // Errors too: a stop thread that dies leaves a process that never exits. Seen when the jar was rebuilt under
        // a running server and the classes the stop path needed could no longer be loaded.
        LOG.log(Level.SEVERE, "graceful stop did not complete", e);
        status = 1;
      }
      System.exit(status);
    };
    // A signal handler rather than a shutdown hook: the JVM exits with 143 after hooks, while Kubernetes and
    // supervisors read a clean SIGTERM stop as exit 0.
    Signal.handle(new Signal("TERM"), sig -> new Thread(stop, "hellonet-stop").start());
    Signal.handle(new Signal("INT"), sig -> new Thread(stop, "hellonet-stop").start());
    LOG.info("starting" + worker.map(w -> " " + w.name()).orElse("")
        + " (SIGTERM or SIGINT from now on stops gracefully)");
    // Once more, just before anything is bound: a supervisor that died while this worker read its configuration leaves
    // it nothing to serve for.
    if (supervisor.isPresent() && (supervisorGone.isDone() || !supervisor.get().alive())) {
      LOG.warning("the supervisor (" + supervisor.get() + ") is gone before this worker bound anything: not starting");
      clearStatusOfGoneSupervisor(args);
      System.exit(1);
      return;
    }
    // From here on, a worker whose supervisor is gone (even by SIGKILL) stops gracefully rather than serve on
    // unsupervised; if it goes during the start, the stop waits for the start to finish.
    supervisorGone.thenRun(() -> {
      LOG.warning("the supervisor (" + supervisor.orElseThrow() + ") is gone: stopping");
      clearStatusOfGoneSupervisor(args);
      new Thread(stop, "hellonet-stop").start();
    });

    try {
      Hellonet node = Hellonet.start(config, worker).toCompletionStage().toCompletableFuture()
          .get(START_TIMEOUT_S, TimeUnit.SECONDS);
      // A stop asked for during the start has already said "stopping": announcing "ready" after it would be false.
      if (stopping.get()) {
        LOG.info("started, but a stop was asked for during the start: not ready, stopping now");
      } else {
        LOG.info("hellonet ready: " + node.summary());
      }
      started.complete(node);
    } catch (ExecutionException e) {
      LOG.severe("cannot start: " + e.getCause().getMessage());
      LOG.log(Level.FINE, "start failure", e.getCause());
      // A configuration found wrong only at the start (the cluster's secret files) is still a configuration error.
      System.exit(e.getCause() instanceof ConfigException ? 2 : 1);
    } catch (InterruptedException | TimeoutException e) {
      LOG.severe("cannot start: " + e);
      System.exit(1);
    }
  }

  /** A supervisor killed outright leaves its status file behind; its workers, which outlive it briefly, remove it. */
  private static void clearStatusOfGoneSupervisor(String[] args) {
    for (String arg : args) {
      if (arg.startsWith(WorkerCommand.STATUS_ARG)) {
        StatusBoard.removeLeftOf(Path.of(arg.substring(WorkerCommand.STATUS_ARG.length())));
      }
    }
  }

  /** Runs the supervisor until SIGTERM or SIGINT has stopped every worker; its exit code. */
  private static int supervise(HellonetConfig config) {
    Supervisor supervisor = new Supervisor(config, WorkerCommand.ofCurrentJvm(Main.class.getName()));
    Signal.handle(new Signal("TERM"), sig -> supervisor.stop());
    Signal.handle(new Signal("INT"), sig -> supervisor.stop());
    try {
      return supervisor.start().get();
    } catch (Exception e) {
      System.err.println("hellonet: supervisor failed: " + e);
      return 1;
    }
  }
}
