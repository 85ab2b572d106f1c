package dev.hellonet.crawl.job;

import java.util.HashMap;
import java.util.Map;

/** Counts requests in flight for one job, overall and per host, against the job's two caps. Event-loop confined. */
final class HostLimiter {
  private final int global;
  private final int perHost;
  private final Map<String, Integer> byHost = new HashMap<>();
  private int total;

  HostLimiter(int global, int perHost) {
    this.global = global;
    this.perHost = perHost;
  }

  /** Whether another request may start now at all. */
  boolean hasRoom() {
    return total < global;
  }

  /** Whether another request to {@code host} may start now. */
  boolean hasRoom(String host) {
    return total < global && byHost.getOrDefault(host, 0) < perHost;
  }

  /** Takes a slot for {@code host}; only after {@link #hasRoom(String)} said yes. */
  void acquire(String host) {
    if (!hasRoom(host)) {
      throw new IllegalStateException("no slot for " + host);
    }
    total++;
    byHost.merge(host, 1, Integer::sum);
  }

  void release(String host) {
    total--;
    byHost.computeIfPresent(host, (h, n) -> n == 1 ? null : n - 1);
  }
}
