package dev.hellonet.guard;

/** Why a connection was refused or closed for abuse; the name is the one docs and the attack report use. */
public enum Reason {
  GLOBAL_LIMIT("global-limit", "closedGlobalLimit"),
  PER_IP_LIMIT("per-ip-limit", "closedPerIpLimit"),
  RATE_LIMIT("rate-limit", "closedRateLimit"),
  FIRST_REQUEST_TIMEOUT("first-request-timeout", "closedFirstRequestTimeout"),
  IDLE_TIMEOUT("idle-timeout", "closedIdleTimeout"),
  SLOW_READER("slow-reader", "closedSlowReader"),
  REQUEST_TOO_LONG("request-too-long", "closedRequestTooLong");

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

  /** The key of its counter in the hello counters snapshot, e.g. {@code closedPerIpLimit}. */
  public String counter() {
    return counter;
  }
}
