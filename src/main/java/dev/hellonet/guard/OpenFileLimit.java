package dev.hellonet.guard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's open-file limit (the soft RLIMIT_NOFILE, read from {@code /proc/self/limits}) and the global
 * connection cap derived from it: every connection is a file descriptor, and running out of them makes accept() fail
 * for everyone, the store's file and the logs included. So the cap keeps headroom below the limit and the server
 * refuses (cheaply, with a reason) before the kernel refuses (expensively, without one).
 */
public final class OpenFileLimit {
  /** Used when the limit cannot be read (not Linux, or /proc hidden): a conservative, common default. */
  static final long FALLBACK_LIMIT = 1024;
  /** Descriptors kept free below the limit: at least this many, or a tenth of the limit if that is more. */
  static final long MIN_HEADROOM = 256;

  private OpenFileLimit() {}

  /** The soft limit on open files from a {@code /proc/<pid>/limits} file, if it names one. */
  public static OptionalLong read(Path limitsFile) {
    try {
      for (String line : Files.readAllLines(limitsFile)) {
        if (line.startsWith("Max open files")) {
          String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
          if (fields.length > 0 && !fields[0].equals("unlimited")) {
            return OptionalLong.of(Long.parseLong(fields[0]));
          }
          return OptionalLong.of(Integer.MAX_VALUE);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through: the caller decides what an unknown limit means
    }
    return OptionalLong.empty();
  }

  /** The connection cap for an open-file limit: the limit minus max(256, limit / 10), and at least 1. */
  public static int capFor(long openFileLimit) {
    long headroom = Math.max(MIN_HEADROOM, openFileLimit / 10);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, openFileLimit - headroom));
  }
}
