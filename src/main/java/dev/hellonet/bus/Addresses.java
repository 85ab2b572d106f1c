package dev.hellonet.bus;

/**
 * Every event-bus address hellonet uses, with the shape of what travels on it. docs/event-bus.md is the user-facing
 * copy of this list.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * Published by every node every {@code counters.publishIntervalMs}: a counters snapshot, JSON
   * {@code {"node": str, "time": epochMillis, "<role>": {"total": {name: long}, "instances": [{"instance": str,
   * name: long, ...}]}}}. Roles so far: {@code hello} (requests, replies, badRequests, connectionsAccepted,
   * connectionsActive, connectionsClosed, sequenceLeases, sequenceLeased, sequenceIssued, sequenceHeld, and the
   * abuse counters closedGlobalLimit, closedPerIpLimit, closedRateLimit, closedFirstRequestTimeout, closedIdleTimeout,
   * closedSlowReader, closedRequestTooLong), {@code protection} (openConnections, maxConnections, kernelWarnings) and
   * {@code sequence} (highWaterMark, leases).
   */
  public static final String COUNTERS = "hellonet.counters";

  /** Request-reply: any body; the reply is this node's counters snapshot, shaped as on {@link #COUNTERS}. */
  public static final String COUNTERS_GET = "hellonet.counters.get";
}
