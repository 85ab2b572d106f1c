package dev.hellonet.bench;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Sample counts of one profile in async-profiler's collapsed format ({@code frame;frame;...;leaf count} per line),
 * added up by self-time frame (the leaf) and by thread. With async-profiler's {@code threads} option the first frame
 * is the thread, {@code [name tid=N]}; stacks without it count under {@link #NO_THREAD}.
 */
public final class CollapsedStacks {
  /** The thread name counted for stacks that do not start with a thread frame. */
  public static final String NO_THREAD = "(no thread frame)";
  /** The self frame counted for a stack that holds nothing but its thread frame. */
  public static final String THREAD_ONLY = "(thread frame only)";
  /** async-profiler's suffix for a kernel frame. */
  private static final String KERNEL_SUFFIX = "_[k]";
  private static final Pattern TID = Pattern.compile(" tid=\\d+$");

  private final Map<String, Map<String, Long>> selfFramesByThread = new HashMap<>();
  private final Map<String, Long> byThread = new HashMap<>();
  private long total;
  private long withKernelFrames;

  /** Adds every line; blank lines are skipped, a line that is not {@code stack count} is an error naming it. */
  public static CollapsedStacks parse(List<String> lines) {
    CollapsedStacks stacks = new CollapsedStacks();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.isEmpty()) {
        try {
          stacks.add(line);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage());
        }
      }
    }
    return stacks;
  }

  private void add(String line) {
    int space = line.lastIndexOf(' ');
    long count;
    try {
      count = space < 0 ? -1 : Long.parseLong(line.substring(space + 1));
    } catch (NumberFormatException e) {
      count = -1;
    }
    if (count < 0 || space == 0) {
      throw new IllegalArgumentException("not \"frame;frame;... count\": " + abbreviate(line));
    }
    String[] frames = line.substring(0, space).split(";");
    String thread = NO_THREAD;
    int first = 0;
    if (isThreadFrame(frames[0])) {
      thread = TID.matcher(frames[0].substring(1, frames[0].length() - 1)).replaceFirst("");
      first = 1;
    }
    String leaf = first < frames.length ? frames[frames.length - 1] : THREAD_ONLY;
    selfFramesByThread.computeIfAbsent(thread, t -> new HashMap<>()).merge(leaf, count, Long::sum);
    byThread.merge(thread, count, Long::sum);
    total += count;
    for (int i = first; i < frames.length; i++) {
      if (frames[i].endsWith(KERNEL_SUFFIX)) {
        withKernelFrames += count;
        break;
      }
    }
  }

  private static boolean isThreadFrame(String frame) {
    return frame.length() > 2 && frame.charAt(0) == '[' && frame.charAt(frame.length() - 1) == ']';
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : "..." + line.substring(line.length() - 77);
  }

  /** All samples. */
  public long total() {
    return total;
  }

  /** Samples whose stack holds at least one kernel frame (none when kernel stacks were not available). */
  public long withKernelFrames() {
    return withKernelFrames;
  }

  /** Samples by the frame that was running (the leaf of the stack). */
  public Map<String, Long> bySelfFrame() {
    return bySelfFrame(thread -> true);
  }

  /** Samples by the frame that was running, on the threads whose name passes {@code threads}. */
  public Map<String, Long> bySelfFrame(Predicate<String> threads) {
    Map<String, Long> frames = new HashMap<>();
    selfFramesByThread.forEach((thread, counts) -> {
      if (threads.test(thread)) {
        counts.forEach((frame, count) -> frames.merge(frame, count, Long::sum));
      }
    });
    return frames;
  }

  /** Samples by thread name, without async-profiler's {@code tid=}. */
  public Map<String, Long> byThread() {
    return Collections.unmodifiableMap(byThread);
  }

  /** Samples by thread-name pattern ({@link ThreadPattern}). */
  public Map<String, Long> byThreadPattern() {
    Map<String, Long> patterns = new HashMap<>();
    byThread.forEach((name, count) -> patterns.merge(ThreadPattern.of(name), count, Long::sum));
    return patterns;
  }
}
