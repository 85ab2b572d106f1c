package dev.hellonet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The text summary that bench/profile.sh prints: samples and cores per profiled process, the share of samples by
 * thread-name pattern (acceptor against event loops, the figure that compares acceptor designs) and the top
 * self-time frames, from one collapsed-stacks file per process.
 */
public final class ProfileSummary {
  static final String USAGE = """
      usage: java -cp hellonet.jar dev.hellonet.bench.ProfileSummary [options] NAME=FILE.collapsed ...
        --top N          self-time frames to list [25]
        --patterns N     thread-name patterns to list; the rest are added up in one line [15]
        --interval-ms D  sampling interval, to turn samples into CPU seconds (0: leave CPU seconds out) [0]
        --seconds D      how long the profile ran, to turn CPU seconds into cores (0: leave cores out) [0]
        --engine TEXT    what sampled, printed as given
        --focus PREFIX   also list the top self-time frames of the threads whose name starts with PREFIX, so that
                         the server's own threads are not hidden behind the JIT compiler's [vert.x-]
      One NAME=FILE per profiled process (e.g. pid-1234=target/profiles/x/pid-1234.collapsed).
      """;

  /** The widest a per-process column gets; longer process names are clipped. */
  private static final int MAX_COLUMN = 24;

  /** One profiled process. */
  public record Profile(String name, CollapsedStacks stacks) {}

  /** What to print and how samples turn into time. */
  public record Options(int top, int patterns, double intervalMs, double seconds, String engine, String focus) {
    public Options {
      if (top < 0 || patterns < 1 || intervalMs < 0 || seconds < 0 || focus == null) {
        throw new IllegalArgumentException("--top >= 0, --patterns >= 1, --interval-ms >= 0 and --seconds >= 0");
      }
    }
  }

  private ProfileSummary() {}

  public static void main(String[] args) {
    try {
      System.out.print(run(args));
    } catch (IllegalArgumentException e) {
      System.err.println("profile-summary: " + e.getMessage());
      System.exit(2);
    } catch (IOException e) {
      System.err.println("profile-summary: " + e);
      System.exit(1);
    }
  }

  static String run(String[] args) throws IOException {
    int top = 25;
    int patterns = 15;
    double intervalMs = 0;
    double seconds = 0;
    String engine = "";
    String focus = "vert.x-";
    List<Profile> profiles = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-h", "--help" -> {
          return USAGE;
        }
        case "--top" -> top = (int) number(a, value(args, ++i, a));
        case "--patterns" -> patterns = (int) number(a, value(args, ++i, a));
        case "--interval-ms" -> intervalMs = number(a, value(args, ++i, a));
        case "--seconds" -> seconds = number(a, value(args, ++i, a));
        case "--engine" -> engine = value(args, ++i, a);
        case "--focus" -> focus = value(args, ++i, a);
        default -> {
          int eq = a.indexOf('=');
          if (a.startsWith("-") || eq <= 0) {
            throw new IllegalArgumentException("unknown argument '" + a + "' (expected an option or NAME=FILE)");
          }
          Path file = Path.of(a.substring(eq + 1));
          try {
            profiles.add(new Profile(a.substring(0, eq),
                CollapsedStacks.parse(Files.readAllLines(file, StandardCharsets.UTF_8))));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
          }
        }
      }
    }
    if (profiles.isEmpty()) {
      throw new IllegalArgumentException("no profile given (NAME=FILE.collapsed)");
    }
    return render(profiles, new Options(top, patterns, intervalMs, seconds, engine, focus));
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static double number(String option, String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number, not '" + text + "'");
    }
  }

  /** The summary of the given profiles. */
  public static String render(List<Profile> profiles, Options options) {
    StringBuilder out = new StringBuilder();
    long total = profiles.stream().mapToLong(p -> p.stacks().total()).sum();
    long kernel = profiles.stream().mapToLong(p -> p.stacks().withKernelFrames()).sum();
    boolean cpuSeconds = options.intervalMs() > 0;
    boolean cores = cpuSeconds && options.seconds() > 0;
    if (!options.engine().isEmpty()) {
      out.append("engine   ").append(options.engine());
      if (options.intervalMs() > 0) {
        out.append(String.format(Locale.ROOT, ", interval %s ms", trim(options.intervalMs())));
      }
      if (options.seconds() > 0) {
        out.append(String.format(Locale.ROOT, ", %s s profiled", trim(options.seconds())));
      }
      out.append('\n');
    }
    out.append(String.format(Locale.ROOT, "samples  %,d in %d process(es); kernel frames in %s of them%n", total,
        profiles.size(), percent(kernel, total)));
    out.append('\n').append(String.format(Locale.ROOT, "%-24s %10s%s%n", "process", "samples",
        (cpuSeconds ? String.format("%9s", "CPU s") : "") + (cores ? String.format("%7s", "cores") : "")));
    for (Profile p : profiles) {
      out.append(String.format(Locale.ROOT, "  %-22s %,10d%s%n", p.name(), p.stacks().total(),
          time(p.stacks().total(), options, cpuSeconds, cores)));
    }

    out.append('\n').append("share of samples by thread-name pattern");
    out.append(cores ? " (cores = CPU s / profiled s)" : "").append('\n');
    Map<String, Long> all = new HashMap<>();
    profiles.forEach(p -> p.stacks().byThreadPattern().forEach((k, v) -> all.merge(k, v, Long::sum)));
    List<Map.Entry<String, Long>> patterns = sorted(all);
    boolean perProcess = profiles.size() > 1;
    int column = Math.min(MAX_COLUMN, Math.max(7, profiles.stream().mapToInt(p -> p.name().length()).max().orElse(0)));
    out.append(String.format(Locale.ROOT, "  %-36s %7s%s", "pattern", "all", cores ? String.format("%7s", "cores")
        : ""));
    if (perProcess) {
      profiles.forEach(p -> out.append(' ').append(pad(clip(p.name(), column), column)));
    }
    out.append('\n');
    int shown = Math.min(options.patterns(), patterns.size());
    for (int i = 0; i < shown; i++) {
      String pattern = patterns.get(i).getKey();
      patternLine(out, pattern, patterns.get(i).getValue(), total, options, cores, perProcess ? profiles : List.of(),
          column, p -> p.stacks().byThreadPattern().getOrDefault(pattern, 0L));
    }
    if (shown < patterns.size()) {
      List<String> rest = patterns.subList(shown, patterns.size()).stream().map(Map.Entry::getKey).toList();
      long restCount = patterns.subList(shown, patterns.size()).stream().mapToLong(Map.Entry::getValue).sum();
      patternLine(out, "(" + rest.size() + " other patterns)", restCount, total, options, cores,
          perProcess ? profiles : List.of(), column, p -> rest.stream()
              .mapToLong(r -> p.stacks().byThreadPattern().getOrDefault(r, 0L)).sum());
    }

    frames(out, "top " + options.top() + " self-time frames" + (perProcess ? " (all processes)" : ""), profiles,
        thread -> true, total, options.top());
    if (!options.focus().isEmpty()) {
      long focused = profiles.stream().mapToLong(p -> p.stacks().byThread().entrySet().stream()
          .filter(e -> e.getKey().startsWith(options.focus())).mapToLong(Map.Entry::getValue).sum()).sum();
      frames(out, "top " + options.top() + " self-time frames on " + options.focus() + "* threads ("
          + percent(focused, total) + " of all samples; shares here are of these threads' samples)", profiles,
          thread -> thread.startsWith(options.focus()), focused, options.top());
    }
    return out.toString();
  }

  private static void frames(StringBuilder out, String title, List<Profile> profiles, Predicate<String> threads,
      long total, int top) {
    out.append('\n').append(title).append('\n');
    Map<String, Long> frames = new HashMap<>();
    profiles.forEach(p -> p.stacks().bySelfFrame(threads).forEach((k, v) -> frames.merge(k, v, Long::sum)));
    List<Map.Entry<String, Long>> sorted = sorted(frames);
    for (int i = 0; i < Math.min(top, sorted.size()); i++) {
      Map.Entry<String, Long> f = sorted.get(i);
      out.append(String.format(Locale.ROOT, "  %6s %,9d  %s%n", percent(f.getValue(), total), f.getValue(),
          f.getKey()));
    }
  }

  private static void patternLine(StringBuilder out, String pattern, long count, long total, Options options,
      boolean cores, List<Profile> perProcess, int column, ToLongFunction<Profile> countIn) {
    out.append(String.format(Locale.ROOT, "  %-36s %7s", clip(pattern, 36), percent(count, total)));
    if (cores) {
      out.append(String.format(Locale.ROOT, "%7.2f", count * options.intervalMs() / 1000 / options.seconds()));
    }
    for (Profile p : perProcess) {
      out.append(' ').append(pad(percent(countIn.applyAsLong(p), p.stacks().total()), column));
    }
    out.append('\n');
  }

  private static String time(long samples, Options options, boolean cpuSeconds, boolean cores) {
    double cpu = samples * options.intervalMs() / 1000;
    return (cpuSeconds ? String.format(Locale.ROOT, "%9.2f", cpu) : "")
        + (cores ? String.format(Locale.ROOT, "%7.2f", cpu / options.seconds()) : "");
  }

  /** Largest count first; equal counts by name, so the output does not depend on hash order. */
  private static List<Map.Entry<String, Long>> sorted(Map<String, Long> counts) {
    List<Map.Entry<String, Long>> list = new ArrayList<>(counts.entrySet());
    list.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    return list;
  }

  static String percent(long part, long whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  private static String pad(String text, int width) {
    return " ".repeat(Math.max(0, width - text.length())) + text;
  }

  private static String clip(String text, int width) {
    return text.length() <= width ? text : text.substring(0, width - 1) + "~";
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
