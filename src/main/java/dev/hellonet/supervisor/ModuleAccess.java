package dev.hellonet.supervisor;

import java.util.ArrayList;
import java.util.List;

/**
 * The JDK-internal packages Hazelcast (the cluster manager) asks to reach, as JVM flags for a hellonet JVM started
 * with {@code -cp} (the supervisor's workers). Without them Hazelcast warns at every start and falls back to slower
 * paths. A JVM started with {@code java -jar hellonet.jar} gets the same access from the jar's manifest
 * ({@code Add-Opens}/{@code Add-Exports} in the pom's shade configuration, kept equal to these lists by
 * {@code ModuleAccessTest}).
 *
 * <p>The lists are Hazelcast 5.3's own ({@code ModularJavaUtils}, "Running in Modular Java" in its docs), minus
 * {@code --add-modules java.se}: a class-path application already resolves every system module that exports an API.
 */
public final class ModuleAccess {
  /** {@code module/package} pairs opened to the class path (deep reflection). */
  public static final List<String> OPENS = List.of(
      "java.base/java.lang",
      "java.base/sun.nio.ch",
      "java.management/sun.management",
      "jdk.management/com.sun.management.internal");
  /** {@code module/package} pairs exported to the class path (public API of an internal package). */
  public static final List<String> EXPORTS = List.of("java.base/jdk.internal.ref");

  private ModuleAccess() {}

  /** The same access as command-line flags, each in the one-argument form {@code --add-opens=m/p=ALL-UNNAMED}. */
  public static List<String> jvmFlags() {
    List<String> flags = new ArrayList<>();
    OPENS.forEach(p -> flags.add("--add-opens=" + p + "=ALL-UNNAMED"));
    EXPORTS.forEach(p -> flags.add("--add-exports=" + p + "=ALL-UNNAMED"));
    return flags;
  }
}
