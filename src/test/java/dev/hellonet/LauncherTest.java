package dev.hellonet;

import dev.hellonet.testing.NeededTool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a new user meets before the server starts: the jar's entry point on an old Java, and the launcher's help. */
class LauncherTest {
  /** Output and exit status of a finished process. */
  private record Run(int status, String output) {}

  private static Run run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished: " + command);
    return new Run(p.exitValue(), out);
  }

  @Test
  void anOldJavaIsToldWhichJavaItNeeds() throws Exception {
    Optional<Path> java17 = oldJava();
    NeededTool.require(java17.isPresent(), () -> "no Java older than 21 under /usr/lib/jvm to run the entry point"
        + " with (Debian: apt-get install openjdk-17-jre-headless)");
    // target/classes holds the entry point compiled for Java 8 beside the classes that need 21, as the jar does.
    Run r = run(List.of(java17.get().toString(), "-cp", Path.of("target", "classes").toString(),
        "dev.hellonet.Launcher"));
    assertEquals(1, r.status(), r.output());
    assertTrue(r.output().startsWith("hellonet needs Java 21+, found 17"), r.output());
    assertTrue(!r.output().contains("UnsupportedClassVersionError"), r.output());
  }

  @Test
  void theEntryPointRunsMainOnJava21AndNewer() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // A configuration error is the quickest proof that Main ran: it exits 2 with its own message.
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.hellonet.Launcher")
        .redirectErrorStream(true);
    pb.environment().put("HELLONET_HELLO_POTR", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("did you mean HELLONET_HELLO_PORT?"), out);
  }

  @Test
  void versionsAreReadInBothSpellings() {
    assertEquals(8, Launcher.feature("1.8"));
    assertEquals(17, Launcher.feature("17"));
    assertEquals(21, Launcher.feature("21"));
    assertEquals(0, Launcher.feature("x"));
  }

  @Test
  void helpListsTheCommandsAndSucceeds() throws Exception {
    Run r = run(List.of("bash", "hellonet", "--help"));
    assertEquals(0, r.status(), r.output());
    for (String command : List.of("run", "test", "build", "loadgen", "HELLONET_")) {
      assertTrue(r.output().contains(command), command + " in: " + r.output());
    }
    Run unknown = run(List.of("bash", "hellonet", "nonsense"));
    assertEquals(2, unknown.status(), unknown.output());
    assertTrue(unknown.output().contains("unknown command \"nonsense\""), unknown.output());
  }

  private static Optional<Path> oldJava() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.filter(h -> h.getFileName().toString().contains("-17-"))
          .map(h -> h.resolve("bin").resolve("java")).filter(Files::isExecutable).findFirst();
    }
  }
}
