package dev.hellonet.examples;

import dev.hellonet.testing.NeededTool;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** One finished run of an example client: its command, exit code, stdout and stderr; and finding the interpreter. */
record ClientRun(List<String> command, int exit, String out, String err) {
  /** Runs {@code command} to its end (at most 90 s), its output kept in files under {@code dir}. */
  static ClientRun of(List<String> command, Path dir) throws Exception {
    Path out = Files.createTempFile(dir, "client", ".out");
    Path err = Files.createTempFile(dir, "client", ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("client did not finish in 90 s: " + String.join(" ", command) + "\nstdout:\n" + Files.readString(out)
          + "\nstderr:\n" + Files.readString(err));
    }
    return new ClientRun(command, p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** The path of {@code name} on PATH; when there is none, the test is skipped (failed in CI) saying {@code missing}. */
  static String executable(String name, String missing) {
    String path = System.getenv("PATH");
    for (String d : path == null ? new String[0] : path.split(File.pathSeparator)) {
      Path candidate = Path.of(d, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    NeededTool.missing(missing);
    return null;
  }

  String describe() {
    return String.join(" ", command) + "\nexit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
  }
}
