package dev.hellonet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Command-line entry of the load generator ({@code ./hellonet loadgen}); exit 0 all checks passed, 1 not, 2 usage. */
public final class LoadGenerator {
  private LoadGenerator() {}

  public static void main(String[] args) throws Exception {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        System.out.print(LoadOptions.USAGE);
        return;
      }
    }
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("loadgen: " + e.getMessage());
      System.exit(2);
      return;
    }
    LoadResult result;
    try {
      result = new LoadRun(options, options.quiet() ? line -> { } : line -> System.err.println("loadgen: " + line))
          .run();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("loadgen: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.out.print(result.summary());
    if (options.json() != null) {
      write(options.json(), result.toJson().encodePrettily() + "\n");
    }
    System.exit(result.ok() ? 0 : 1);
  }

  private static void write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text);
  }
}
