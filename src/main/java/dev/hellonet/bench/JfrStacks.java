package dev.hellonet.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the CPU samples of a JFR recording ({@code jdk.CPUTimeSample}, {@code jdk.ExecutionSample}) into
 * async-profiler's collapsed format with a thread frame first, so that bench/profile.sh can summarise a JFR profile
 * like an async-profiler one when async-profiler is not at hand.
 */
public final class JfrStacks {
  /** The sample events read, and the field that names the sampled thread in each. */
  private static final Map<String, String> SAMPLE_THREAD_FIELD = Map.of(
      "jdk.CPUTimeSample", "eventThread",
      "jdk.ExecutionSample", "sampledThread");

  private JfrStacks() {}

  /** {@code JfrStacks RECORDING.jfr OUT.collapsed}: exit 0, or 2 with a message on bad arguments or files. */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: java -cp hellonet.jar dev.hellonet.bench.JfrStacks RECORDING.jfr OUT.collapsed");
      System.exit(2);
      return;
    }
    try {
      Files.write(Path.of(args[1]), collapse(Path.of(args[0])), StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("jfr-stacks: " + args[0] + ": " + e.getMessage());
      System.exit(2);
    }
  }

  /** One line per distinct thread and stack, {@code [thread tid=N];root;...;leaf count}, sorted. */
  public static List<String> collapse(Path recording) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    Set<String> sampleEvents = SAMPLE_THREAD_FIELD.keySet();
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        String type = event.getEventType().getName();
        if (!sampleEvents.contains(type) || event.getStackTrace() == null) {
          continue;
        }
        RecordedThread thread = event.getThread(SAMPLE_THREAD_FIELD.get(type));
        counts.merge(stack(thread, event.getStackTrace()), 1L, Long::sum);
      }
    }
    return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
  }

  private static String stack(RecordedThread thread, RecordedStackTrace trace) {
    StringBuilder line = new StringBuilder();
    line.append('[').append(threadName(thread)).append(" tid=")
        .append(thread == null ? 0 : thread.getJavaThreadId()).append(']');
    List<RecordedFrame> frames = trace.getFrames();
    // JFR lists the leaf first; collapsed stacks go from the root to the leaf.
    for (int i = frames.size() - 1; i >= 0; i--) {
      RecordedFrame frame = frames.get(i);
      line.append(';').append(frame.getMethod().getType().getName().replace('.', '/')).append('.')
          .append(frame.getMethod().getName());
    }
    return line.toString();
  }

  private static String threadName(RecordedThread thread) {
    if (thread == null) {
      return "unknown";
    }
    String name = thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
    // ';' separates frames and a line is one stack: neither may appear in the thread frame.
    return name == null ? "unknown" : name.replace(';', '_').replace('\n', '_');
  }
}
