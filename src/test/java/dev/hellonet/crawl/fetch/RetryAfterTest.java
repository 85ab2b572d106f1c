package dev.hellonet.crawl.fetch;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Retry-After in both of its forms, and what is not one. */
class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  @Test
  void secondsAndDates() {
    assertEquals(2_000, RetryAfter.millis("2", NOW));
    assertEquals(0, RetryAfter.millis("0", NOW));
    assertEquals(30_000, RetryAfter.millis("Mon, 07 Dec 2026 12:00:30 GMT", NOW));
    assertEquals(0, RetryAfter.millis("Mon, 07 Dec 2026 11:00:00 GMT", NOW), "a date in the past: now");
  }

  @Test
  void absentOrUnreadableIsMinusOne() {
    assertEquals(-1, RetryAfter.millis(null, NOW));
    assertEquals(-1, RetryAfter.millis("", NOW));
    assertEquals(-1, RetryAfter.millis("-5", NOW));
    assertEquals(-1, RetryAfter.millis("soon", NOW));
    assertEquals(-1, RetryAfter.millis("1".repeat(100), NOW));
  }

  @Test
  void anEnormousDelayIsHugeNotNegative() {
    assertEquals(true, RetryAfter.millis("9".repeat(30), NOW) > 86_400_000L);
  }
}
