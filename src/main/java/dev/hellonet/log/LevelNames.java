package dev.hellonet.log;

import java.util.logging.Level;

/** Names java.util.logging levels the way the configuration does (ERROR, WARN, INFO, DEBUG, TRACE). */
final class LevelNames {
  private LevelNames() {}

  static String of(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (v >= Level.WARNING.intValue()) {
      return "WARN";
    }
    if (v >= Level.INFO.intValue()) {
      return "INFO";
    }
    // CONFIG and FINE are both "debug" for an operator; FINER and FINEST are tracing.
    return v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
  }
}
