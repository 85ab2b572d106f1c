package dev.hellonet;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's entry point: checks the Java version before any class that needs Java 21 is loaded, so that
 * {@code java -jar hellonet.jar} on an older Java says what is wrong instead of failing with
 * {@code UnsupportedClassVersionError}. Compiled for Java 8 (see the pom's {@code launcher} execution); it uses
 * nothing newer.
 */
public final class Launcher {
  static final int MIN_JAVA = 21;

  private Launcher() {}

  public static void main(String[] args) throws Throwable {
    int found = feature(System.getProperty("java.specification.version"));
    if (found < MIN_JAVA) {
      System.err.println("hellonet needs Java " + MIN_JAVA + "+, found " + System.getProperty("java.specification.version")
          + " (" + System.getProperty("java.home") + "). Run it with a newer java, or use ./hellonet run, which finds one.");
      System.exit(1);
    }
    try {
      Class.forName("dev.hellonet.Main").getMethod("main", String[].class).invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** {@code "1.8"} is 8, {@code "17"} is 17. */
  static int feature(String specification) {
    try {
      return specification.startsWith("1.") ? Integer.parseInt(specification.substring(2))
          : Integer.parseInt(specification.split("\\.")[0]);
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
