package dev.hellonet.sequence;

/** A half-open range {@code [start, end)} of numbers that one lease returned and no other lease ever will. */
public record Block(long start, long end) {
  public Block {
    if (start < 1 || end < start) {
      throw new IllegalArgumentException("bad block [" + start + ", " + end + ")");
    }
  }

  public long size() {
    return end - start;
  }
}
