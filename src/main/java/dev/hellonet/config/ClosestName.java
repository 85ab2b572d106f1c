package dev.hellonet.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Suggests the known name a mistyped one most likely meant ("did you mean maxDepth?"). */
public final class ClosestName {
  private ClosestName() {}

  /**
   * The known name closest to {@code given}, if one is close enough to be worth suggesting: the same letters in another
   * case, one containing the other ({@code depth} in {@code maxDepth}), or at most a third of the letters different.
   */
  public static Optional<String> to(String given, Collection<String> known) {
    String g = given.toLowerCase(Locale.ROOT);
    String best = null;
    int bestScore = Integer.MAX_VALUE;
    for (String name : known) {
      String n = name.toLowerCase(Locale.ROOT);
      int distance = distance(g, n);
      boolean contained = g.length() >= 3 && (n.contains(g) || g.contains(n));
      boolean close = distance <= Math.max(1, Math.min(g.length(), n.length()) / 3);
      if ((contained || close) && distance < bestScore) {
        best = name;
        bestScore = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
