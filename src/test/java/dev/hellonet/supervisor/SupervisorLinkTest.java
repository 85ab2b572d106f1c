package dev.hellonet.supervisor;

import dev.hellonet.testing.Ports;
import dev.hellonet.testing.ProcessFixture;
import dev.hellonet.testing.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.hellonet.testing.ProcessFixture.awaitLog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker and the supervisor that started it, one real worker JVM at a time: the test plays the supervisor (its pid on
 * the worker's command line, its end of the worker's stdin held by the test), or names one that is already dead.
 */
class SupervisorLinkTest {
  @TempDir
  Path dir;
  @RegisterExtension
  final ProcessFixture processes = new ProcessFixture();

  @Test
  void theLinkReadsBackAndAReusedPidDoesNotPassForTheSupervisor() {
    SupervisorLink me = SupervisorLink.ofCurrentProcess();
    assertEquals(Optional.of(me), SupervisorLink.fromArgs(new String[] {"--worker=0", me.arg()}));
    assertTrue(me.alive());
    assertTrue(me.startedAtMs() > 0, "Linux reports a start time");
    assertFalse(new SupervisorLink(me.pid(), me.startedAtMs() + 10_000).alive(),
        "the same pid, started at another time, is another process");
    assertTrue(SupervisorLink.fromArgs(new String[] {"--worker=0"}).isEmpty());
    for (String bad : List.of("--supervisor=12", "--supervisor=x:1", "--supervisor=1:")) {
      assertTrue(assertThrows(IllegalArgumentException.class, () -> SupervisorLink.fromArgs(new String[] {bad}))
          .getMessage().startsWith(bad + ": must be --supervisor=<pid>:<start"), bad);
    }
  }

  /**
   * The race of a worker restarted as its supervisor dies, at its sharpest: the supervisor is dead before the worker
   * runs a line. Its parent is init by then, which a watch of the parent would have taken for the supervisor.
   */
  @Test
  void aWorkerWhoseSupervisorIsAlreadyGoneExitsWithoutBindingAnything() throws Exception {
    Process dead = new ProcessBuilder("sleep", "60").start();
    SupervisorLink link = SupervisorLink.of(dead.pid()).orElseThrow();
    dead.destroyForcibly();
    assertTrue(dead.waitFor(10, TimeUnit.SECONDS));
    Path status = Files.createDirectory(dir.resolve(StatusBoard.DIRECTORY_PREFIX + dead.pid() + "-x"))
        .resolve(StatusBoard.FILE_NAME);
    Files.writeString(status, "{}");

    ServerProcess worker = launchWorker(link, status);
    assertEquals(1, worker.awaitExit(60), worker.log());
    String log = worker.log();
    assertTrue(log.contains("the supervisor (pid " + dead.pid() + ") that started this worker is gone: not starting"),
        log);
    assertFalse(log.contains("starting worker-0"), "it went no further than its first check:\n" + log);
    assertFalse(Files.exists(status.getParent()), "and it cleared the status its supervisor left");
  }

  /** Past its start, the worker stops gracefully when the supervisor's end of its stdin closes. */
  @Test
  void aServingWorkerStopsGracefullyOnceItsSupervisorsPipeCloses() throws Exception {
    ServerProcess worker = launchWorker(SupervisorLink.ofCurrentProcess(), dir.resolve("status.json"));
    awaitLog(worker, "hellonet ready", 1);
    worker.closeInput();
    assertEquals(0, worker.awaitExit(60), worker.log());
    String log = worker.log();
    assertTrue(log.contains("the supervisor (pid " + ProcessHandle.current().pid() + ") is gone: stopping"), log);
    assertTrue(log.contains("stopped cleanly"), log);
  }

  /**
   * The supervisor goes while the worker is still reading its configuration (the test is alive, so only the pipe says
   * so): the worker does not serve on, whether it saw the end before its bind or only after.
   */
  @Test
  void aWorkerWhoseSupervisorGoesDuringItsStartDoesNotServeOn() throws Exception {
    ServerProcess worker = launchWorker(SupervisorLink.ofCurrentProcess(), dir.resolve("status.json"));
    worker.closeInput();
    int exit = worker.awaitExit(60);
    String log = worker.log();
    assertTrue(exit == 0 || exit == 1, "exit " + exit + ":\n" + log);
    assertTrue(log.contains("the supervisor (pid " + ProcessHandle.current().pid() + ") is gone"), log);
  }

  /** A worker started by hand, with no supervisor named, would have nothing to watch: refused, naming both arguments. */
  @Test
  void aWorkerWithoutItsSupervisorIsRefusedNamingTheArguments() throws Exception {
    ServerProcess worker = processes.launch(dir.resolve("alone"), Map.of("HELLONET_HELLO_PROCESSES", "2",
        "HELLONET_HTTP_PORT", Integer.toString(ServerProcess.freePort())), List.of("-cp",
        System.getProperty("java.class.path"), "dev.hellonet.Main", WorkerCommand.WORKER_ARG + 0));
    assertEquals(2, worker.awaitExit(60), worker.log());
    assertTrue(worker.log().contains("--worker=<i> and --supervisor=<pid>:<start> go together"), worker.log());
  }

  private ServerProcess launchWorker(SupervisorLink supervisor, Path status) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "HELLONET_HELLO_PROCESSES", "2",
        "HELLONET_HELLO_INSTANCES", "1",
        "HELLONET_HTTP_INSTANCES", "1",
        "HELLONET_CRAWLER_INSTANCES", "1",
        "HELLONET_CLUSTER_PORT", Integer.toString(Ports.freeRange(2)),
        "HELLONET_HTTP_PORT", Integer.toString(ServerProcess.freePort()),
        "HELLONET_SHUTDOWN_TIMEOUTMS", "3000",
        "HELLONET_SEQUENCE_FILE", dir.resolve("sequence").toString()));
    // A worker joins its supervisor's cluster, so it needs the cluster's key as the supervisor would hand it over.
    env.putAll(dev.hellonet.testing.TestClusterKeys.env(dev.hellonet.testing.TestClusterKeys.shared()));
    return processes.launch(dir.resolve("worker"), env, List.of("-cp", System.getProperty("java.class.path"),
        "dev.hellonet.Main", WorkerCommand.WORKER_ARG + 0, supervisor.arg(), WorkerCommand.STATUS_ARG + status));
  }
}
