package dev.hellonet.config;

/**
 * Whole numbers within bounds, from JSON values or command-line text, refused in one wording everywhere. A message
 * names no key: each caller puts its own in front (a configuration key, a command-line option, a request field).
 */
public final class WholeNumbers {
  private WholeNumbers() {}

  /**
   * Whether {@code value} is a whole number from {@code min} to {@code max}: for callers that answer untrusted input
   * with their own wording and would rather not build an exception per bad value.
   */
  public static boolean isWithin(Object value, long min, long max) {
    return isWhole(value) && ((Number) value).longValue() >= min && ((Number) value).longValue() <= max;
  }

  /** {@code value} as a long when it is a whole number from {@code min} to {@code max}; otherwise why not. */
  public static long check(Object value, long min, long max) {
    if (!isWhole(value)) {
      throw new IllegalArgumentException("must be a whole number between " + min + " and " + max + "; got " + value);
    }
    long l = ((Number) value).longValue();
    if (l < min || l > max) {
      throw new IllegalArgumentException("must be between " + min + " and " + max + "; got " + l);
    }
    return l;
  }

  private static boolean isWhole(Object value) {
    return value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue());
  }

  /** {@code text} (a command-line value, say) read as a whole number from {@code min} to {@code max}. */
  public static long parse(String text, long min, long max) {
    long l;
    try {
      l = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a whole number between " + min + " and " + max + "; got '"
          + text + "'");
    }
    return check(l, min, max);
  }
}
