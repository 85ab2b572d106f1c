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

  /** Edit distance where swapping two neighbouring letters counts as one edit, the commonest typo ("prot"). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
