package dev.hellonet.sequence;

import dev.hellonet.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeEach;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-event-loop supply: uniqueness under re-entrant lease completion, adaptive block size, give-back on close. */
@ExtendWith(VertxExtension.class)
class NumberSupplyTest {
  @TempDir
  Path dir;
  private Vertx vertx;

  /** A fresh Vert.x per test from vertx-junit5, which also closes it afterwards. */
  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A store whose leases complete before the caller can attach a callback: the worst case for re-entrancy. */
  private static class InstantStore implements SequenceStore {
    private long next = 1;
    private final StoreHealth health = new StoreHealth();

    @Override
    public StoreHealth health() {
      return health;
    }

    @Override
    public synchronized Future<Block> lease(long size) {
      Block b = new Block(next, next + size);
      next += size;
      return Future.succeededFuture(b);
    }

    @Override
    public Future<Boolean> giveBack(Block unused) {
      return Future.succeededFuture(false);
    }

    @Override
    public Future<Long> highWaterMark() {
      return Future.succeededFuture(next);
    }

    @Override
    public long knownHighWaterMark() {
      return next;
    }

    @Override
    public String describe() {
      return "instant";
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  /** Remembers the size of every lease it was asked for. */
  private static final class RecordingStore extends InstantStore {
    final List<Long> sizes = new ArrayList<>();

    @Override
    public synchronized Future<Block> lease(long size) {
      sizes.add(size);
      return super.lease(size);
    }
  }

  @Test
  void consumersTakingTurnsWhileLeasesCompleteInstantlyNeverShareANumber() throws Exception {
    CompletableFuture<List<long[]>> done = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      NumberSupply supply = new NumberSupply(vertx, new InstantStore(), 8, 64);
      List<long[]> ranges = new ArrayList<>();
      // Many consumers each take odd-sized runs; whenever the supply is empty they wait like connections do.
      int consumers = 50;
      AtomicLong remaining = new AtomicLong(consumers);
      for (int c = 0; c < consumers; c++) {
        new Object() {
          int rounds = 40;

          void run() {
            while (rounds > 0) {
              int n = supply.available(7);
              if (n == 0) {
                supply.whenAvailable(this::run);
                return;
              }
              long first = supply.take(n);
              ranges.add(new long[]{first, first + n});
              rounds--;
            }
            if (remaining.decrementAndGet() == 0) {
              done.complete(ranges);
            }
          }
        }.run();
      }
    });
    List<long[]> ranges = done.get(10, TimeUnit.SECONDS);
    ranges.sort((a, b) -> Long.compare(a[0], b[0]));
    for (int i = 1; i < ranges.size(); i++) {
      assertTrue(ranges.get(i)[0] >= ranges.get(i - 1)[1],
          "ranges overlap: " + ranges.get(i - 1)[0] + ".." + ranges.get(i - 1)[1] + " and " + ranges.get(i)[0]);
    }
    assertEquals(50 * 40, ranges.size());
  }

  @Test
  void blockSizeJumpsToWhatTheRecentRateTakesInASecondAndGoesNoFurther() throws Exception {
    AtomicLong clock = new AtomicLong();
    RecordingStore recording = new RecordingStore();
    List<Long> sizes = recording.sizes;
    // One number per 100 us of the test's clock: 10,000 a second.
    drain(new NumberSupply(vertx, recording, 100, 1_000_000, clock::get), 100_000, () -> clock.addAndGet(100_000));
    assertEquals(100L, sizes.get(0));
    long jumped = sizes.get(1);
    assertTrue(jumped >= 8_000 && jumped <= 12_000, "one lease jumps to about a second's worth: " + sizes);
    assertTrue(sizes.stream().allMatch(s -> s <= 25_000),
        "no runaway to maxBlock: blocks that last a second are neither fast nor slow: " + sizes);
  }

  @Test
  void blockSizeStaysWithinTheMaximum() throws Exception {
    AtomicLong clock = new AtomicLong();
    RecordingStore recording = new RecordingStore();
    List<Long> sizes = recording.sizes;
    drain(new NumberSupply(vertx, recording, 100, 1600, clock::get), 20_000, () -> clock.addAndGet(100_000));
    assertEquals(1600L, sizes.get(1), "the rate wants more than maxBlock: " + sizes);
    assertTrue(sizes.stream().allMatch(s -> s <= 1600), "never above maxBlock: " + sizes);
  }

  @Test
  void blockSizeHalvesWhenLeasesComeSlowlyButNotBelowTheMinimum() throws Exception {
    AtomicLong clock = new AtomicLong();
    RecordingStore recording = new RecordingStore();
    List<Long> sizes = recording.sizes;
    NumberSupply supply = new NumberSupply(vertx, recording, 100, 1600, clock::get);
    drain(supply, 3_000, () -> clock.addAndGet(1_000)); // fast: grows
    long grown = sizes.get(sizes.size() - 1);
    drain(supply, 8_000, () -> clock.addAndGet(TimeUnit.SECONDS.toNanos(1))); // slow: shrinks
    assertTrue(grown > 100, "grew first: " + sizes);
    assertEquals(100L, sizes.get(sizes.size() - 1), "shrinks back to minBlock: " + sizes);
  }

  @Test
  void closeGivesUnusedNumbersBackSoACleanRestartLeavesNoGap() throws Exception {
    SequenceStore store = Await.result(FileSequenceStore.open(vertx, dir.resolve("seq")), 10);
    CompletableFuture<Long> lastTaken = new CompletableFuture<>();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      NumberSupply supply = new NumberSupply(vertx, store, 1000, 1000);
      supply.start().onSuccess(x -> {
        long first = supply.take(supply.available(10));
        lastTaken.complete(first + 9);
        supply.close().onComplete(ar -> closed.complete(null));
      });
    });
    closed.get(10, TimeUnit.SECONDS);
    long mark = Await.result(store.highWaterMark(), 10);
    assertEquals(lastTaken.get() + 1, mark, "the next number after a clean close follows the last one sent");
    Await.result(store.close(), 10);
  }

  /** Holds every lease after the first until the test releases it, to catch a supply closing mid-lease. */
  private static final class GatedStore extends InstantStore {
    final CompletableFuture<Void> gate = new CompletableFuture<>();
    final List<Block> givenBack = new ArrayList<>();
    private int leases;

    @Override
    public synchronized Future<Block> lease(long size) {
      Future<Block> block = super.lease(size);
      return leases++ == 0 ? block : Future.fromCompletionStage(gate).compose(v -> block);
    }

    @Override
    public synchronized Future<Boolean> giveBack(Block unused) {
      givenBack.add(unused);
      return Future.succeededFuture(true);
    }
  }

  @Test
  void closeWaitsForALeaseInFlightAndGivesItBackFirst() throws Exception {
    GatedStore store = new GatedStore();
    CompletableFuture<Future<Void>> closing = new CompletableFuture<>();
    CompletableFuture<Long> firstTaken = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      NumberSupply supply = new NumberSupply(vertx, store, 100, 100);
      supply.start().onSuccess(x -> {
        firstTaken.complete(supply.take(60)); // past half the block: the second lease starts and waits at the gate
        closing.complete(supply.close());
      });
    });
    Future<Void> closed = closing.get(10, TimeUnit.SECONDS);
    assertEquals(1L, firstTaken.get());
    Thread.sleep(100);
    assertFalse(closed.isComplete(), "close must not finish while a lease is in flight");

    store.gate.complete(null);
    Await.result(closed, 10);
    assertEquals(List.of(new Block(101, 201), new Block(61, 101)), store.givenBack,
        "the in-flight block goes back first, then the unused tail of the current one");
  }

  /** Takes {@code total} numbers one at a time on the supply's context, ticking the clock before each take. */
  private void drain(NumberSupply supply, int total, Runnable tick) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    vertx.runOnContext(v -> new Object() {
      int left = total;

      void run() {
        while (left > 0) {
          tick.run();
          if (supply.available(1) == 0) {
            supply.whenAvailable(this::run);
            return;
          }
          supply.take(1);
          left--;
        }
        done.complete(null);
      }
    }.run());
    done.get(20, TimeUnit.SECONDS);
  }

  /** A store that fails every lease while {@code down} is set, and counts the attempts. */
  private static final class FlakyStore extends InstantStore {
    volatile boolean down;
    final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public synchronized Future<Block> lease(long size) {
      attempts.incrementAndGet();
      return down ? Future.failedFuture(new SequenceStoreException("store down for the test")) : super.lease(size);
    }
  }

  /** Runs {@code body} on the supply's event loop and waits for its result. */
  private <T> T onLoop(java.util.function.Supplier<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      try {
        result.complete(body.get());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void outageServesHeldNumbersThenExhaustsWakesWaitersAndRecoversWithoutRepeatingANumber() throws Exception {
    FlakyStore store = new FlakyStore();
    NumberSupply supply = onLoop(() -> new NumberSupply(vertx, store, 100, 100));
    Await.result(onLoop(supply::start));
    List<Long> taken = new ArrayList<>();
    // Half the first block: the prefetch of the second starts. Let it land, then take the store away.
    taken.add(onLoop(() -> supply.take(50)));
    Await.until(() -> onLoop(() -> supply.counters().getLong("sequenceHeld")) >= 150, 5,
        "the prefetched second block lands");
    store.down = true;
    // 150 numbers are held: all of them are still handed out, one at a time, although every lease now fails.
    int attemptsBefore = store.attempts.get();
    for (int i = 0; i < 150; i++) {
      taken.add(onLoop(() -> supply.available(1) == 1 ? supply.take(1) : -1L));
    }
    assertFalse(taken.contains(-1L), "held numbers are served during the outage");
    assertTrue(store.attempts.get() - attemptsBefore <= 3,
        "taking numbers while the store fails must not fire a lease per take: " + (store.attempts.get() - attemptsBefore));
    assertEquals(0, onLoop(() -> supply.available(1)));
    assertTrue(onLoop(supply::exhausted), "no numbers and the store fails");
    assertEquals(1, store.health().exhaustedInstances());
    assertFalse(store.health().healthy());

    // A waiter registered now is woken at once (to answer ERR unavailable), not at the end of the outage.
    CompletableFuture<Boolean> woken = new CompletableFuture<>();
    vertx.runOnContext(v -> supply.whenAvailable(() -> woken.complete(supply.exhausted())));
    assertTrue(woken.get(5, TimeUnit.SECONDS));

    store.down = false;
    // The retry timer (at most NumberSupply.MAX_RETRY_MS away) brings numbers back without anyone asking.
    long[] recovered = {-1};
    Await.until(() -> (recovered[0] = onLoop(() -> supply.available(1) == 1 ? supply.take(1) : -1L)) > 0, 10,
        "numbers again after the outage");
    taken.add(recovered[0]);
    assertFalse(onLoop(supply::exhausted));
    assertEquals(0, store.health().exhaustedInstances(), "ready again");
    assertTrue(store.health().healthy());
    assertTrue(store.health().counters().getLong("leaseFailures") >= 1);
    assertEquals(taken.size(), taken.stream().distinct().count(), "no number twice: " + taken);
    for (int i = 1; i < taken.size(); i++) {
      assertTrue(taken.get(i) > taken.get(i - 1), "increasing: " + taken);
    }
  }

  @Test
  void startWaitsForARealBlockWhileTheFirstLeasesFail() throws Exception {
    FlakyStore store = new FlakyStore();
    store.down = true;
    NumberSupply supply = onLoop(() -> new NumberSupply(vertx, store, 10, 10));
    Future<Void> started = onLoop(supply::start);
    Await.until(() -> store.attempts.get() >= 2, 5, "retries the first lease");
    assertFalse(started.isComplete(), "no start without numbers");

    store.down = false;
    Await.result(started, 10);
    assertEquals(10, onLoop(() -> supply.available(100)));
  }
}
