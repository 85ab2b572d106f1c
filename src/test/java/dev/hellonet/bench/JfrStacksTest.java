package dev.hellonet.bench;

import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real JFR recording of a busy thread in this JVM, turned into collapsed stacks that CollapsedStacks reads. */
class JfrStacksTest {
  @TempDir
  Path dir;

  /** Kept in a field so the JIT cannot drop the loop. */
  private final AtomicLong sink = new AtomicLong();

  private void spin(long untilNanos) {
    long x = 1;
    while (System.nanoTime() < untilNanos) {
      for (int i = 0; i < 10_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    }
    sink.addAndGet(x);
  }

  @Test
  void samplesOfANamedThreadBecomeCollapsedStacksWithItsThreadFrame() throws Exception {
    Path jfr = dir.resolve("spin.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.start();
      // Up to 10 s of spinning, in 1 s rounds, until the recording has a sample of it: a busy shared machine may
      // leave the thread unscheduled for a while, but not for ten seconds.
      for (int round = 0; round < 10; round++) {
        Thread spinner = new Thread(() -> spin(System.nanoTime() + 1_000_000_000L), "spinner-thread-7");
        spinner.start();
        spinner.join();
        recording.dump(jfr);
        if (spinnerLines(JfrStacks.collapse(jfr)).size() > 0) {
          break;
        }
      }
      recording.stop();
    }
    List<String> lines = JfrStacks.collapse(jfr);
    List<String> spinner = spinnerLines(lines);
    assertFalse(spinner.isEmpty(), "no sample of the spinning thread in " + lines);
    for (String line : spinner) {
      assertTrue(line.contains(";java/lang/Thread.run;"), line);
      assertTrue(line.contains(";dev/hellonet/bench/JfrStacksTest.spin"), line);
      assertTrue(line.matches("\\[spinner-thread-7 tid=\\d+\\];.* \\d+"), line);
      // Root first, as in async-profiler's output: Thread.run comes before the method it runs.
      assertTrue(line.indexOf(";java/lang/Thread.run;") < line.indexOf(";dev/hellonet/bench/JfrStacksTest.spin"), line);
    }
    CollapsedStacks stacks = CollapsedStacks.parse(lines);
    assertTrue(stacks.byThreadPattern().getOrDefault("spinner-thread-*", 0L) >= spinner.size(), stacks.byThread()
        .toString());
  }

  private static List<String> spinnerLines(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("[spinner-thread-7 tid=")).toList();
  }

  @Test
  void aFileThatIsNoRecordingIsAnError(@TempDir Path other) throws IOException {
    Path notJfr = other.resolve("x.jfr");
    Files.writeString(notJfr, "not a recording");
    // RecordingFile says what is wrong; JfrStacks.main prints it with the file name.
    assertThrows(IOException.class, () -> JfrStacks.collapse(notJfr));
  }
}
