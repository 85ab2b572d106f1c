package dev.hellonet.supervisor;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's command line: what the supervisor writes, the worker reads back; anything else is refused by name. */
class WorkerIdentityTest {
  @Test
  void theSupervisorsArgumentsReadBackAsTheWorkersIdentity() {
    Path status = Path.of("/tmp/hellonet-supervisor-1.json");
    java.util.List<String> command = WorkerCommand.ofCurrentJvm("dev.hellonet.Main").forWorker(2, status);
    String[] args = command.subList(command.indexOf("dev.hellonet.Main") + 1, command.size()).toArray(String[]::new);

    assertEquals(Optional.of(new WorkerIdentity(2, 3, status)), WorkerIdentity.fromArgs(args, 3));
    assertEquals("worker-2", WorkerIdentity.fromArgs(args, 3).orElseThrow().name());
  }

  @Test
  void noArgumentsIsNoWorker() {
    assertTrue(WorkerIdentity.fromArgs(new String[0], 4).isEmpty());
  }

  @Test
  void badArgumentsAreRefusedNamingThem() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> WorkerIdentity.fromArgs(new String[] {"--worker=x"}, 2)).getMessage().contains("--worker=x"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> WorkerIdentity.fromArgs(new String[] {"--worker=2"}, 2)).getMessage().contains("hello.processes"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> WorkerIdentity.fromArgs(new String[] {"--port=1"}, 2)).getMessage().contains("--port=1"));
  }
}
