package dev.hellonet.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The summary bench/profile.sh prints, from collapsed-stacks files of two processes. */
class ProfileSummaryTest {
  @TempDir
  Path dir;

  private String[] twoWorkers() throws IOException {
    Path a = dir.resolve("a.collapsed");
    Path b = dir.resolve("b.collapsed");
    Files.write(a, List.of(
        "[vert.x-acceptor-thread-0 tid=1];Socket.accept;inet_csk_accept_[k] 60",
        "[vert.x-eventloop-thread-0 tid=2];Native.epollWait0;epoll_wait 40"));
    Files.write(b, List.of(
        "[vert.x-acceptor-thread-0 tid=7];Socket.accept;inet_csk_accept_[k] 20",
        "[vert.x-eventloop-thread-0 tid=8];HelloHandler.handle 70",
        "[GC Thread#0 tid=9];GCTaskThread::run 10"));
    return new String[] {"--interval-ms", "10", "--seconds", "2", "--engine", "test-engine", "--top", "2",
        "pid-1=" + a, "pid-2=" + b};
  }

  private static String lineStartingWith(String text, String start) {
    return text.lines().map(String::strip).filter(l -> l.startsWith(start)).findFirst()
        .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in:\n" + text));
  }

  @Test
  void sharesByThreadPatternOverAllProcessesAndPerProcess() throws IOException {
    String out = ProfileSummary.run(twoWorkers());
    // 80 of 200 samples on acceptors: 40%; 80 x 10 ms over 2 s = 0.40 cores; 60% of pid-1, 20% of pid-2.
    assertEquals(List.of("vert.x-acceptor-thread-*", "40.0%", "0.40", "60.0%", "20.0%"),
        List.of(lineStartingWith(out, "vert.x-acceptor-thread-*").split("\\s+")));
    assertEquals(List.of("vert.x-eventloop-thread-*", "55.0%", "0.55", "40.0%", "70.0%"),
        List.of(lineStartingWith(out, "vert.x-eventloop-thread-*").split("\\s+")));
    assertTrue(out.contains("engine   test-engine, interval 10 ms, 2 s profiled"), out);
    assertTrue(out.contains("kernel frames in 40.0% of them"), out);
  }

  @Test
  void samplesCpuSecondsAndCoresPerProcess() throws IOException {
    String out = ProfileSummary.run(twoWorkers());
    assertEquals(List.of("pid-1", "100", "1.00", "0.50"), List.of(lineStartingWith(out, "pid-1 ").split("\\s+")));
    assertEquals(List.of("pid-2", "100", "1.00", "0.50"), List.of(lineStartingWith(out, "pid-2 ").split("\\s+")));
  }

  /** The lines of the section under the first heading that starts with {@code heading}, up to the next blank line. */
  private static List<String> section(String text, String heading) {
    String rest = text.substring(text.indexOf(heading));
    return rest.lines().skip(1).takeWhile(l -> !l.isBlank()).map(l -> String.join(" ", l.strip().split("\\s+")))
        .toList();
  }

  @Test
  void topSelfFramesLargestFirstAndNoMoreThanAsked() throws IOException {
    String out = ProfileSummary.run(twoWorkers());
    assertEquals(List.of("40.0% 80 inet_csk_accept_[k]", "35.0% 70 HelloHandler.handle"),
        section(out, "top 2 self-time frames (all processes)"));
  }

  @Test
  void focusedThreadsGetTheirOwnTopFramesAsSharesOfTheirSamples() throws IOException {
    String out = ProfileSummary.run(twoWorkers());
    // vert.x-* threads hold 190 of the 200 samples; GC's frame is not among theirs.
    assertEquals(List.of("42.1% 80 inet_csk_accept_[k]", "36.8% 70 HelloHandler.handle"),
        section(out, "top 2 self-time frames on vert.x-* threads (95.0% of all samples"));
    String[] args = twoWorkers();
    String[] focused = new String[args.length + 2];
    focused[0] = "--focus";
    focused[1] = "GC ";
    System.arraycopy(args, 0, focused, 2, args.length);
    assertEquals(List.of("100.0% 10 GCTaskThread::run"),
        section(ProfileSummary.run(focused), "top 2 self-time frames on GC * threads (5.0% of all samples"));
    focused[1] = "";
    assertFalse(ProfileSummary.run(focused).contains("self-time frames on"));
  }

  @Test
  void patternsPastTheLimitAreAddedUpInOneLine() throws IOException {
    String[] args = twoWorkers();
    String[] limited = new String[args.length + 2];
    limited[0] = "--patterns";
    limited[1] = "1";
    System.arraycopy(args, 0, limited, 2, args.length);
    String out = ProfileSummary.run(limited);
    // The event loops (110 samples) stay; the acceptors (80) and GC (10) make 45%: 60 of pid-1's 100, 30 of pid-2's.
    assertEquals(List.of("(2", "other", "patterns)", "45.0%", "0.45", "60.0%", "30.0%"),
        List.of(lineStartingWith(out, "(2 other patterns)").split("\\s+")));
    assertTrue(out.contains("vert.x-eventloop-thread-*"), out);
    assertFalse(out.contains("vert.x-acceptor-thread-*"), out);
  }

  @Test
  void withoutIntervalAndDurationNoTimeColumns() throws IOException {
    Path a = dir.resolve("one.collapsed");
    Files.write(a, List.of("[main tid=1];Main.main 3"));
    String out = ProfileSummary.run(new String[] {"only=" + a});
    assertEquals(List.of("only", "3"), List.of(lineStartingWith(out, "only ").split("\\s+")));
    assertFalse(out.contains("cores"), out);
  }

  @Test
  void badArgumentsAndBadFilesAreNamed() throws IOException {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ProfileSummary.run(new String[] {"--top"}))
        .getMessage().contains("--top needs a value"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ProfileSummary.run(new String[] {"--bogus"}))
        .getMessage().contains("'--bogus'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ProfileSummary.run(new String[] {}))
        .getMessage().contains("no profile"));
    Path bad = dir.resolve("bad.collapsed");
    Files.write(bad, List.of("a;b x"));
    String message = assertThrows(IllegalArgumentException.class,
        () -> ProfileSummary.run(new String[] {"p=" + bad})).getMessage();
    assertTrue(message.contains("bad.collapsed") && message.contains("line 1"), message);
  }
}
