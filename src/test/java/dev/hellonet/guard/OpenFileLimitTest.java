package dev.hellonet.guard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the open-file limit and deriving the default global connection cap from it. */
class OpenFileLimitTest {
  @TempDir
  Path dir;

  @Test
  void readsTheSoftLimitFromAProcLimitsFile() throws IOException {
    Path limits = dir.resolve("limits");
    Files.writeString(limits, """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            20000                40000                files
        Max locked memory         8388608              8388608              bytes
        """);
    assertEquals(20000, OpenFileLimit.read(limits).orElseThrow());
  }

  @Test
  void missingFileOrLineIsUnknown() throws IOException {
    assertTrue(OpenFileLimit.read(dir.resolve("absent")).isEmpty());
    Path limits = dir.resolve("limits");
    Files.writeString(limits, "Limit Soft Hard Units\n");
    assertTrue(OpenFileLimit.read(limits).isEmpty());
  }

  @Test
  void capKeepsHeadroomBelowTheLimit() {
    assertEquals(18_000, OpenFileLimit.capFor(20_000), "a tenth of 20,000");
    assertEquals(768, OpenFileLimit.capFor(1024), "at least 256 spare");
    assertEquals(1, OpenFileLimit.capFor(100), "never below one");
  }

  @Test
  void theRealProcessLimitIsReadable() {
    Path real = Path.of("/proc/self/limits");
    dev.hellonet.testing.NeededTool.require(Files.isReadable(real), () -> "no readable /proc/self/limits on this machine");
    assertTrue(OpenFileLimit.read(real).orElseThrow() > 0);
  }
}
