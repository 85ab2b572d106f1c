package dev.hellonet.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sort-and-compare duplicate check, including logs that span several chunks. */
class DuplicateCheckTest {
  @Test
  void distinctNumbersAcrossLogsHaveNoDuplicates() {
    NumberLog a = new NumberLog();
    NumberLog b = new NumberLog();
    // Interleaved across two logs and more than two chunks each, in no particular order.
    int n = NumberLog.CHUNK * 2 + 77;
    for (int i = 0; i < n; i++) {
      a.append(2L * i);
      b.append(2L * (n - i) - 1);
    }
    assertEquals(n, a.size());
    DuplicateCheck.Result r = DuplicateCheck.of(List.of(a, b));
    assertEquals(2L * n, r.checked());
    assertEquals(0, r.duplicates());
    assertEquals(-1, r.firstDuplicate());
  }

  @Test
  void repeatsAreCountedOncePerExtraOccurrenceAndTheSmallestIsNamed() {
    NumberLog a = new NumberLog();
    NumberLog b = new NumberLog();
    for (long x : new long[] {5, 1, 9, 7}) {
      a.append(x);
    }
    for (long x : new long[] {9, 3, 7, 9}) {
      b.append(x);
    }
    DuplicateCheck.Result r = DuplicateCheck.of(List.of(a, b));
    assertEquals(8, r.checked());
    assertEquals(3, r.duplicates()); // 7 twice (1 extra), 9 three times (2 extra)
    assertEquals(7, r.firstDuplicate());
  }

  @Test
  void aRepeatAtAChunkBoundaryIsFound() {
    NumberLog a = new NumberLog();
    for (int i = 0; i < NumberLog.CHUNK; i++) {
      a.append(i);
    }
    a.append(NumberLog.CHUNK - 1); // first number of the second chunk repeats the last of the first
    assertEquals(1, DuplicateCheck.of(List.of(a)).duplicates());
  }

  @Test
  void emptyLogsHaveNothingToCheck() {
    DuplicateCheck.Result r = DuplicateCheck.of(List.of(new NumberLog()));
    assertEquals(0, r.checked());
    assertEquals(0, r.duplicates());
  }
}
