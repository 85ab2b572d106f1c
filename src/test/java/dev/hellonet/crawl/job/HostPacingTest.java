package dev.hellonet.crawl.job;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pacing of one job's origins, on a clock the test moves. */
class HostPacingTest {
  private long now = 1_000_000;
  private static final String A = "http://a.example";

  private HostPacing pacing(long delayMs) {
    return new HostPacing(delayMs, 10_000, 60_000, () -> now);
  }

  @Test
  void theLargerOfTheJobDelayAndCrawlDelayWinsAndCountsFromTheLastStart() {
    HostPacing p = pacing(200);
    assertEquals(0, p.waitMs(A));
    p.started(A);
    assertEquals(200, p.waitMs(A));
    now += 50;
    p.crawlDelay(A, 1_000);
    assertEquals(950, p.waitMs(A), "the Crawl-delay counts from the robots.txt request");
    now += 950;
    assertEquals(0, p.waitMs(A));
  }

  @Test
  void crawlDelayIsCappedAndTheCapIsCounted() {
    HostPacing p = pacing(0);
    p.crawlDelay(A, 3_600_000);
    p.started(A);
    assertEquals(10_000, p.waitMs(A));
    assertEquals(1, p.toJson().getLong("crawlDelaysCapped"));
  }

  @Test
  void retryAfterPausesAndIsCappedAndAShorterOneDoesNotShortenIt() {
    HostPacing p = pacing(0);
    p.overloaded(A, 2_000);
    assertEquals(2_000, p.waitMs(A));
    p.overloaded(A, 500);
    assertEquals(2_000, p.waitMs(A));
    p.overloaded(A, 86_400_000);
    assertEquals(60_000, p.waitMs(A), "capped at maxPauseMs");
    assertEquals(3, p.toJson().getLong("throttled"));
  }

  @Test
  void anOriginThatKeepsFailingIsPausedLongerEachTimeAndAnAnswerEndsTheStreak() {
    HostPacing p = pacing(0);
    p.failed(A);
    p.failed(A);
    assertEquals(0, p.waitMs(A), "two failures are not yet a pattern");
    p.failed(A);
    assertEquals(1_000, p.waitMs(A));
    now += 1_000;
    p.failed(A);
    assertEquals(2_000, p.waitMs(A));
    now += 2_000;
    p.answered(A);
    p.failed(A);
    assertEquals(0, p.waitMs(A));
  }

  @Test
  void theDnsSlotIsNeverPaced() {
    HostPacing p = pacing(5_000);
    p.started("(dns)");
    assertEquals(0, p.waitMs("(dns)"));
  }

  @Test
  void autoThrottleMovesHalfwayTowardsLatencyOverTargetAndErrorsNeverSpeedItUp() {
    HostPacing p = new HostPacing(100, 10_000, 60_000, new JobRequest.AutoThrottle(2.0, 5_000), () -> now);
    p.started(A);
    assertEquals(HostPacing.ADAPTIVE_START_MS, p.waitMs(A), "starts at 1 s");
    p.responded(A, 400, true);          // target 400 / 2 = 200: halfway from 1000 is 600
    p.started(A);
    assertEquals(600, p.waitMs(A));
    p.responded(A, 0, false);           // would be 300, but an error never speeds it up
    p.started(A);
    assertEquals(600, p.waitMs(A));
    p.responded(A, 100_000, false);     // errors may slow it down, up to maxDelayMs
    p.started(A);
    assertEquals(5_000, p.waitMs(A));
    for (int i = 0; i < 20; i++) {
      p.responded(A, 0, true);
    }
    p.started(A);
    assertEquals(100, p.waitMs(A), "never below the job's delay");
  }
}
