package dev.hellonet.crawl.job;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How often one job may start a request to each origin: a delay between starts (the larger of the job's
 * {@code delayMs}, the node's floor and the origin's robots.txt {@code Crawl-delay}, capped), and pauses after an
 * origin says it is overloaded ({@code 429} or {@code 503}, honouring {@code Retry-After}) or keeps failing. A pause
 * never shortens: a later, shorter one leaves the longer in place. With {@link JobRequest.AutoThrottle} the delay of
 * each origin also follows its latency, as Scrapy's AutoThrottle does. Event-loop confined.
 */
final class HostPacing {
  /** Pause after the first failure in a row when the origin gives no Retry-After; doubled for each further one. */
  static final long FAILURE_PAUSE_BASE_MS = 1_000;
  /** Failures in a row (timeouts, 5xx, connection errors) before an origin is paused at all. */
  static final int FAILURES_BEFORE_PAUSE = 3;
  /** The adaptive delay of an origin before its first answer (Scrapy starts at 5 s; small sites here answer fast). */
  static final long ADAPTIVE_START_MS = 1_000;

  private final long delayMs;
  private final long maxDelayMs;
  private final long maxPauseMs;
  private final LongSupplier clock;
  private final JobRequest.AutoThrottle auto;
  private final Map<String, Origin> origins = new HashMap<>();
  private long throttled;
  private long pauses;
  private long longestPauseMs;
  private long crawlDelaysCapped;

  /** Per-origin state; absent for an origin not yet seen. */
  private static final class Origin {
    long crawlDelayMs;
    /** When the last request started; -1 before the first. */
    long lastStartAt = -1;
    long nextStartAt;
    long pausedUntil;
    int failuresInRow;
    /** The delay AutoThrottle set; -1 before the first answer. */
    long adaptiveDelayMs = -1;
  }

  /**
   * @param delayMs    the job's delay between starts to one origin, already at least the node's floor
   * @param maxDelayMs the most a robots.txt Crawl-delay may impose
   * @param maxPauseMs the longest pause, however long a Retry-After asks for
   * @param clock      milliseconds, monotonic
   */
  HostPacing(long delayMs, long maxDelayMs, long maxPauseMs, LongSupplier clock) {
    this(delayMs, maxDelayMs, maxPauseMs, null, clock);
  }

  /** @param auto AutoThrottle's settings, or null for fixed delays */
  HostPacing(long delayMs, long maxDelayMs, long maxPauseMs, JobRequest.AutoThrottle auto, LongSupplier clock) {
    this.auto = auto;
    this.delayMs = delayMs;
    this.maxDelayMs = maxDelayMs;
    this.maxPauseMs = maxPauseMs;
    this.clock = clock;
  }

  /** Only real origins are paced; pseudo-origins such as the DNS slot are not requests to anybody. */
  private static boolean paced(String key) {
    return key.contains("://");
  }

  /** The origin's robots.txt asked for {@code ms} between requests. */
  void crawlDelay(String origin, long ms) {
    if (ms > maxDelayMs) {
      crawlDelaysCapped++;
    }
    Origin o = origin(origin);
    o.crawlDelayMs = Math.min(ms, maxDelayMs);
    // robots.txt itself was the first request: the delay counts from it.
    if (o.lastStartAt >= 0) {
      o.nextStartAt = Math.max(o.nextStartAt, o.lastStartAt + o.crawlDelayMs);
    }
  }

  /** Milliseconds until a request to {@code key} may start; 0 when it may start now. */
  long waitMs(String key) {
    if (!paced(key)) {
      return 0;
    }
    Origin o = origins.get(key);
    if (o == null) {
      return 0;
    }
    return Math.max(0, Math.max(o.nextStartAt, o.pausedUntil) - clock.getAsLong());
  }

  /** A request to {@code key} starts now. */
  void started(String key) {
    if (!paced(key)) {
      return;
    }
    Origin o = origin(key);
    o.lastStartAt = clock.getAsLong();
    o.nextStartAt = o.lastStartAt + Math.max(Math.max(delayMs, o.crawlDelayMs), adaptive(o));
  }

  private long adaptive(Origin o) {
    if (auto == null) {
      return 0;
    }
    return o.adaptiveDelayMs >= 0 ? o.adaptiveDelayMs : Math.min(auto.maxDelayMs(), Math.max(delayMs,
        ADAPTIVE_START_MS));
  }

  /**
   * A response came from {@code origin} after {@code latencyMs}; {@code ok} when it was a success. AutoThrottle moves
   * the origin's delay halfway towards latency / target concurrency, within the job's delay and its maximum; an
   * answer that was not a success may slow it down but never speeds it up.
   */
  void responded(String origin, long latencyMs, boolean ok) {
    if (auto == null || !paced(origin)) {
      return;
    }
    Origin o = origin(origin);
    long current = adaptive(o);
    long target = Math.round(latencyMs / auto.targetConcurrency());
    long next = Math.min(auto.maxDelayMs(), Math.max(delayMs, (current + target) / 2));
    if (!ok && next < current) {
      next = current;
    }
    o.adaptiveDelayMs = next;
  }

  /** The origin answered normally: its failure streak ends. */
  void answered(String origin) {
    Origin o = origins.get(origin);
    if (o != null) {
      o.failuresInRow = 0;
    }
  }

  /**
   * The origin answered 429 or 503: pause it for what {@code Retry-After} said ({@code retryAfterMs}), capped; without
   * a usable one ({@code -1}) it counts as a failure like any other.
   */
  void overloaded(String origin, long retryAfterMs) {
    throttled++;
    if (retryAfterMs < 0) {
      failed(origin);
      return;
    }
    Origin o = origin(origin);
    o.failuresInRow++;
    pause(o, retryAfterMs);
  }

  /** A fetch from the origin failed (timeout, connection error, 5xx): pause it once failures keep coming. */
  void failed(String origin) {
    Origin o = origin(origin);
    o.failuresInRow++;
    if (o.failuresInRow >= FAILURES_BEFORE_PAUSE) {
      pause(o, failurePause(o.failuresInRow - FAILURES_BEFORE_PAUSE + 1));
    }
  }

  private static long failurePause(int nth) {
    return FAILURE_PAUSE_BASE_MS << Math.min(20, Math.max(0, nth - 1));
  }

  private void pause(Origin o, long ms) {
    long capped = Math.min(ms, maxPauseMs);
    long until = clock.getAsLong() + capped;
    if (until > o.pausedUntil) {
      o.pausedUntil = until;
      pauses++;
      longestPauseMs = Math.max(longestPauseMs, capped);
    }
  }

  private Origin origin(String key) {
    return origins.computeIfAbsent(key, k -> new Origin());
  }

  /** For the job's stats: what politeness did. */
  JsonObject toJson() {
    return new JsonObject()
        .put("delayMs", delayMs)
        .put("throttled", throttled)
        .put("pauses", pauses)
        .put("longestPauseMs", longestPauseMs)
        .put("crawlDelaysCapped", crawlDelaysCapped)
        .put("autoThrottle", auto != null)
        .put("adaptiveDelayMs", origins.values().stream().mapToLong(o -> Math.max(0, o.adaptiveDelayMs)).max()
            .orElse(0));
  }
}
