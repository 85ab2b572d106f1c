package dev.hellonet.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one check of the promise the service makes: no number handed out twice. Every test that reads numbers checks them
 * here, over everything it read, so that a repeat between two phases (before and after a kill, from two nodes) counts.
 */
public final class Numbers {
  private Numbers() {}

  /** Fails if any number occurs twice over all {@code parts}, naming the first few, or if there are none at all. */
  public static void assertUnique(Collection<long[]> parts) {
    long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
    assertTrue(all.length > 0, "no numbers were read");
    Arrays.sort(all);
    List<Long> repeated = new ArrayList<>();
    for (int i = 1; i < all.length && repeated.size() < 10; i++) {
      if (all[i] == all[i - 1]) {
        repeated.add(all[i]);
      }
    }
    assertTrue(repeated.isEmpty(), "numbers read twice (first " + repeated.size() + " shown, of " + all.length
        + " read): " + repeated);
  }

  public static void assertUnique(long[]... parts) {
    assertUnique(Arrays.asList(parts));
  }

  /** Fails unless every number on one connection is above the one before it (the per-connection order). */
  public static void assertIncreasing(long[] oneConnection) {
    for (int i = 1; i < oneConnection.length; i++) {
      assertTrue(oneConnection[i] > oneConnection[i - 1], "not increasing on one connection: "
          + oneConnection[i - 1] + " then " + oneConnection[i]);
    }
  }
}
