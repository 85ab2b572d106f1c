package dev.hellonet.supervisor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The restart delays: immediate after a healthy run, doubling while a worker keeps dying young, capped. */
class BackoffTest {
  @Test
  void aWorkerThatKeepsDyingYoungWaitsTwiceAsLongEachTimeUpToTheCap() {
    Backoff backoff = new Backoff();
    long[] expected = {250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (long delay : expected) {
      assertEquals(delay, backoff.afterExit(100));
    }
  }

  @Test
  void aWorkerThatRanAWhileIsRestartedAtOnceAndTheBackoffStartsOver() {
    Backoff backoff = new Backoff();
    backoff.afterExit(10);
    backoff.afterExit(10);
    assertEquals(0, backoff.afterExit(Backoff.HEALTHY_AFTER_MS));
    assertEquals(Backoff.MIN_MS, backoff.afterExit(10));
  }
}
