package dev.hellonet.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Every number one event loop received, as primitive longs in fixed-size chunks: appending never copies what is
 * already stored and never boxes. Written by one thread only.
 */
final class NumberLog {
  static final int CHUNK = 1 << 17;

  private final List<long[]> full = new ArrayList<>();
  private long[] current = new long[CHUNK];
  private int at;

  void append(long number) {
    if (at == CHUNK) {
      full.add(current);
      current = new long[CHUNK];
      at = 0;
    }
    current[at++] = number;
  }

  long size() {
    return (long) full.size() * CHUNK + at;
  }

  /** Copies every number into {@code target} from {@code offset}; returns the offset after the last one. */
  int copyTo(long[] target, int offset) {
    int to = offset;
    for (long[] chunk : full) {
      System.arraycopy(chunk, 0, target, to, CHUNK);
      to += CHUNK;
    }
    System.arraycopy(current, 0, target, to, at);
    return to + at;
  }
}
