package dev.hellonet.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What a test does when a tool it drives (python3, Node 20+, chromium, {@code ss}, an old Java) is missing: on a
 * developer's machine it is skipped, with the reason printed on the console (surefire shows only a count otherwise);
 * in CI (environment variable {@code CI} set, as {@code .ci/run} does) it fails, because CI installs every tool and a
 * silent skip there would read as a pass.
 */
public final class NeededTool {
  private NeededTool() {}

  /** Skips (or in CI fails) the calling test unless {@code present}; {@code missing} says what and how to install it. */
  public static void require(boolean present, Supplier<String> missing) {
    if (!present) {
      missing(missing.get());
    }
  }

  /** Skips (or in CI fails) the calling test now. */
  public static void missing(String reason) {
    missing(reason, System.getenv());
  }

  static void missing(String reason, Map<String, String> env) {
    if (inCi(env)) {
      Assertions.fail("CI must have every tool the tests use: " + reason);
    }
    System.out.println("SKIPPED: " + reason);
    Assumptions.abort("SKIPPED: " + reason);
  }

  /** Whether this run is CI's: {@code CI} set to anything but empty or {@code false} (GitHub, GitLab and .ci/run). */
  public static boolean inCi() {
    return inCi(System.getenv());
  }

  static boolean inCi(Map<String, String> env) {
    String ci = env.get("CI");
    return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
  }
}
