package dev.hellonet.supervisor;

/**
 * How long the supervisor waits before restarting a worker that exited: at once after a worker that had been running
 * a while (a one-off crash), then doubling from {@link #MIN_MS} up to {@link #MAX_MS} while it keeps dying young, so
 * a worker that cannot start (port taken, bad file) costs a start every half-minute rather than a busy loop.
 */
public final class Backoff {
  /** First delay after a worker that died young. */
  public static final long MIN_MS = 250;
  /** The longest wait between two starts. */
  public static final long MAX_MS = 30_000;
  /** A worker that ran at least this long counts as healthy: its next restart is immediate and the back-off resets. */
  public static final long HEALTHY_AFTER_MS = 30_000;

  private long next = MIN_MS;

  /** The delay before the next start, given how long the worker that just exited had run. */
  public long afterExit(long ranMs) {
    if (ranMs >= HEALTHY_AFTER_MS) {
      next = MIN_MS;
      return 0;
    }
    long delay = next;
    next = Math.min(MAX_MS, next * 2);
    return delay;
  }
}
