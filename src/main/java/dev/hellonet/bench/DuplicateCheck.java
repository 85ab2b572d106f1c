package dev.hellonet.bench;

import java.util.Arrays;
import java.util.List;

/** Checks that no number occurs twice across all logs: merge, sort, compare neighbours. */
final class DuplicateCheck {
  /** The outcome: how many numbers were checked, how many were repeats, and the first repeated value (or -1). */
  record Result(long checked, long duplicates, long firstDuplicate) {}

  private DuplicateCheck() {}

  static Result of(List<NumberLog> logs) {
    long total = 0;
    for (NumberLog log : logs) {
      total += log.size();
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("too many numbers to check in one array: " + total
          + "; shorten --duration or --warmup");
    }
    long[] all = new long[(int) total];
    int at = 0;
    for (NumberLog log : logs) {
      at = log.copyTo(all, at);
    }
    return ofUnsorted(all);
  }

  /** Sorts {@code numbers} in place and counts the values that equal their predecessor. */
  static Result ofUnsorted(long[] numbers) {
    Arrays.parallelSort(numbers);
    long duplicates = 0;
    long first = -1;
    for (int i = 1; i < numbers.length; i++) {
      if (numbers[i] == numbers[i - 1]) {
        if (duplicates++ == 0) {
          first = numbers[i];
        }
      }
    }
    return new Result(numbers.length, duplicates, first);
  }
}
