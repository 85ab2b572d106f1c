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
  void blockSizeDoublesWhileLeasesComeFastAndStaysWithinTheMaximum() throws Exception {
    AtomicLong clock = new AtomicLong();
    RecordingStore recording = new RecordingStore();
    List<Long> sizes = recording.sizes;
    drain(new NumberSupply(vertx, recording, 100, 1600, clock::get), 20_000, () -> clock.addAndGet(100_000));
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L), sizes.subList(0, 5));
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
    drain(supply, 3_000, () -> clock.addAndGet(TimeUnit.SECONDS.toNanos(1))); // slow: shrinks
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
}
