package dev.hellonet.crawl.fetch;

/**
 * A ceiling on a quantity many parts of the crawler share: bytes (a node's page memory, its download disk space, a
 * job's download bytes; each body takes its bytes as they arrive and gives them back when it no longer holds them)
 * or records kept in the job history. Event-loop confined, like all of the crawler's state.
 */
public final class Budget {
  private final String key;
  private final long max;
  private final boolean retriable;
  private long used;

  /**
   * {@code key} names the configuration key in messages; {@code retriable} says whether a transfer refused for want
   * of room is worth another attempt later (memory frees up; a job's own download budget does not).
   */
  public Budget(String key, long max, boolean retriable) {
    this.key = key;
    this.max = max;
    this.retriable = retriable;
  }

  /** Takes {@code n} if it fits; false (taking nothing) when it does not. */
  public boolean take(long n) {
    if (used + n > max) {
      return false;
    }
    used += n;
    return true;
  }

  public void give(long n) {
    used = Math.max(0, used - n);
  }

  public long used() {
    return used;
  }

  public long max() {
    return max;
  }

  public String key() {
    return key;
  }

  public boolean retriable() {
    return retriable;
  }
}
