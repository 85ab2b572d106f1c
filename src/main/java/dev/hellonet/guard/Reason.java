package dev.hellonet.guard;

/** Why a connection was refused or closed for abuse; the name is the one docs and the attack report use. */
public enum Reason {
  GLOBAL_LIMIT("global-limit", "rejectedGlobalLimit"),
  PER_IP_LIMIT("per-ip-limit", "rejectedPerIpLimit"),
  RATE_LIMIT("rate-limit", "rejectedRateLimit"),
  FIRST_REQUEST_TIMEOUT("first-request-timeout", "rejectedFirstRequestTimeout"),
  IDLE_TIMEOUT("idle-timeout", "rejectedIdleTimeout"),
  SLOW_READER("slow-reader", "rejectedSlowReader"),
  REQUEST_TOO_LONG("request-too-long", "rejectedRequestTooLong");

  private final String label;
  private final String counter;

  Reason(String label, String counter) {
    this.label = label;
    this.counter = counter;
  }

  /** The reason as the issue and docs name it, e.g. {@code per-ip-limit}. */
  public String label() {
    return label;
  }

  /** The key of its counter in the hello counters snapshot, e.g. {@code rejectedPerIpLimit}. */
  public String counter() {
    return counter;
  }
}
