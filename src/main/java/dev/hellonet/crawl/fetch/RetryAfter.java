package dev.hellonet.crawl.fetch;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header (RFC 9110, 10.2.3): delay-seconds or an HTTP date. */
public final class RetryAfter {
  /** Longer values are not a date or a delay any server sends; they are ignored rather than parsed. */
  private static final int MAX_CHARS = 64;

  private RetryAfter() {}

  /** Milliseconds to wait from {@code now}; -1 when the header is absent or unreadable; 0 for a date in the past. */
  public static long millis(String header, Instant now) {
    if (header == null) {
      return -1;
    }
    String v = header.trim();
    if (v.isEmpty() || v.length() > MAX_CHARS) {
      return -1;
    }
    if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // Up to 18 digits fit a long; more is "forever", which the caller's cap turns into its longest pause.
      return v.length() > 15 ? Long.MAX_VALUE / 4 : Long.parseLong(v) * 1000;
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Math.max(0, at.toEpochMilli() - now.toEpochMilli());
    } catch (DateTimeParseException e) {
      return -1;
    }
  }
}
