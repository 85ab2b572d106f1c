package dev.hellonet.sequence;

import dev.hellonet.counters.SingleWriterCounter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands out numbers to one event loop from leased blocks, without locks. It leases the next block while half of the
 * current one is still left, so the event loop does not wait for the store unless the rate outruns it; the block size at least doubles when leases come faster than {@link #FAST_LEASE_NANOS} (jumping to what
 * the recent rate takes in {@link #TARGET_BLOCK_NANOS}) and halves when slower than {@link #SLOW_LEASE_NANOS}, between
 * the configured bounds.
 *
 * <p>When a lease fails the supply keeps handing out what it holds and retries with back-off (up to
 * {@link #MAX_RETRY_MS}). Once it holds nothing while the store still fails, it is {@link #exhausted()}: connections
 * answer {@code ERR unavailable} instead of waiting, and the store's {@link StoreHealth} makes the node not ready until
 * a lease succeeds again. A number is only ever handed out from a block the store returned, so an outage can cost
 * numbers (gaps) but never repeat one. Not thread-safe: owned by one event-loop context.
 */
public final class NumberSupply {
  static final long FAST_LEASE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  static final long SLOW_LEASE_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** A block sized by demand lasts about this long at the rate that asked for it. */
  static final long TARGET_BLOCK_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long MAX_RETRY_MS = 2_000;
  private static final Logger LOG = Logger.getLogger(NumberSupply.class.getName());

  private final Vertx vertx;
  private final SequenceStore store;
  private final long minBlock;
  private final long maxBlock;
  private final LongSupplier nanoClock;
  private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();
  private final StoreHealth health;
  private final Promise<Void> firstBlock = Promise.promise();

  private long next;
  private long end;
  private Block spare;
  private boolean leasing;
  /** While a lease is in flight: completes once its block has been put to use or given back. */
  private Future<Void> leaseSettled;
  private boolean closed;
  private long blockSize;
  private long lastLeaseNanos = Long.MIN_VALUE;
  private long issuedAtLastLease;
  private long retryDelayMs = 50;
  /** A retry timer is pending: no lease before it fires, however many numbers are taken meanwhile. */
  private boolean retryPending;
  /** The last lease failed and none has succeeded since. */
  private boolean failing;
  /** This instance has reported itself exhausted to the store's health. */
  private boolean reportedExhausted;

  private final SingleWriterCounter leases = new SingleWriterCounter();
  private final SingleWriterCounter leased = new SingleWriterCounter();
  private final SingleWriterCounter issued = new SingleWriterCounter();
  private final SingleWriterCounter held = new SingleWriterCounter();

  public NumberSupply(Vertx vertx, SequenceStore store, long minBlock, long maxBlock) {
    this(vertx, store, minBlock, maxBlock, System::nanoTime);
  }

  NumberSupply(Vertx vertx, SequenceStore store, long minBlock, long maxBlock, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.store = store;
    this.minBlock = minBlock;
    this.maxBlock = maxBlock;
    this.nanoClock = nanoClock;
    this.blockSize = minBlock;
    this.health = store.health();
  }

  /** Leases the first block; completes when numbers are available (retrying failed leases meanwhile). */
  public Future<Void> start() {
    maybeLease();
    return firstBlock.future();
  }

  /**
   * True when there are no numbers and the store is failing: requests that cannot be numbered now get
   * {@code ERR unavailable} rather than waiting for an outage to end. Only worth asking when {@link #available} said 0.
   */
  public boolean exhausted() {
    if (!failing || closed || remaining() > 0) {
      return false;
    }
    if (!reportedExhausted) {
      reportedExhausted = true;
      health.instanceExhausted();
      LOG.warning("no numbers left and " + store.describe() + " is failing: answering ERR unavailable and not ready"
          + " until a lease succeeds");
    }
    return true;
  }

  /**
   * How many consecutive numbers can be taken right now, at most {@code want}. 0 means none until a lease arrives:
   * register with {@link #whenAvailable}.
   */
  public int available(int want) {
    if (next == end && spare != null) {
      next = spare.start();
      end = spare.end();
      spare = null;
    }
    return (int) Math.min(want, end - next);
  }

  /**
   * Takes {@code count} consecutive numbers, no more than {@link #available(int)} said, and returns the first. The
   * first is returned rather than kept in a field: any state read after this call could already belong to another
   * connection's grant.
   */
  public long take(int count) {
    if (count < 0 || count > end - next) {
      throw new IllegalArgumentException("take(" + count + ") with " + (end - next) + " available");
    }
    long first = next;
    next += count;
    issued.add(count);
    held.add(-count);
    maybeLease();
    return first;
  }

  /**
   * Runs {@code waiter} once numbers may be available again, in order of registration, always as a task of its own
   * on the event loop and never from inside this call.
   */
  public void whenAvailable(Runnable waiter) {
    waiters.add(waiter);
    if (remaining() > 0 || exhausted()) {
      vertx.runOnContext(v -> wakeWaiters());
    } else {
      maybeLease();
    }
  }

  private long remaining() {
    return (end - next) + (spare == null ? 0 : spare.size());
  }

  /** Called on every take: only the test, kept small so that it inlines into the hot path. */
  private void maybeLease() {
    if (leasing || retryPending || closed || spare != null || end - next > blockSize / 2) {
      return;
    }
    lease();
  }

  private void lease() {
    long now = nanoClock.getAsLong();
    long issuedNow = issued.get();
    if (lastLeaseNanos != Long.MIN_VALUE) {
      long interval = now - lastLeaseNanos;
      long taken = issuedNow - issuedAtLastLease;
      // No numbers taken since the last lease (the back-to-back second lease at start): no evidence of demand.
      if (interval < FAST_LEASE_NANOS && taken > 0) {
        // At least double; at once to what the recent rate takes in TARGET_BLOCK_NANOS, so that a node under heavy
        // load right after its start reaches a fitting size in one or two leases rather than ten.
        long demand = interval <= 0 ? maxBlock
            : (long) Math.min(maxBlock, (double) taken * TARGET_BLOCK_NANOS / interval);
        blockSize = Math.min(maxBlock, Math.max(blockSize * 2, demand));
      } else if (interval > SLOW_LEASE_NANOS) {
        blockSize = Math.max(minBlock, blockSize / 2);
      }
    }
    lastLeaseNanos = now;
    issuedAtLastLease = issuedNow;
    leasing = true;
    long size = blockSize;
    // A lease that completed before onComplete was attached would run its callback right here, in the middle of a
    // connection's take(); going through runOnContext makes waking the waiters always a separate event-loop task.
    Promise<Void> settled = Promise.promise();
    leaseSettled = settled.future();
    store.lease(size).onComplete(ar -> vertx.runOnContext(v -> {
      leasing = false;
      long took = nanoClock.getAsLong() - now;
      if (ar.succeeded()) {
        health.leaseSucceeded(took);
        retryDelayMs = 50;
        if (failing) {
          failing = false;
          LOG.info("leasing from " + store.describe() + " works again");
        }
        if (reportedExhausted) {
          reportedExhausted = false;
          health.instanceRecovered();
        }
        accept(ar.result()).onComplete(x -> settled.complete());
        return;
      }
      settled.complete();
      if (!closed) {
        health.leaseFailed(ar.cause());
        // The whole trace once per outage; after that one line per retry is enough.
        if (!failing) {
          LOG.log(Level.SEVERE, "leasing " + size + " numbers from " + store.describe() + " failed; serving the "
              + remaining() + " numbers held and retrying with back-off", ar.cause());
        } else {
          LOG.warning("leasing from " + store.describe() + " still fails (" + ar.cause().getMessage() + "); retrying in "
              + retryDelayMs + " ms");
        }
        failing = true;
        retryPending = true;
        vertx.setTimer(retryDelayMs, t -> {
          retryPending = false;
          maybeLease();
        });
        retryDelayMs = Math.min(MAX_RETRY_MS, retryDelayMs * 2);
        if (exhausted()) {
          wakeWaiters(); // they answer ERR unavailable now rather than wait for the outage to end
        }
      }
    }));
  }

  /** Puts a leased block to use, or gives it straight back when the supply closed while it was being leased. */
  private Future<?> accept(Block block) {
    leases.add(1);
    leased.add(block.size());
    held.add(block.size());
    if (closed) {
      held.add(-block.size());
      return store.giveBack(block);
    }
    if (next == end) {
      next = block.start();
      end = block.end();
    } else {
      spare = block;
    }
    firstBlock.tryComplete();
    wakeWaiters();
    maybeLease();
    return Future.succeededFuture();
  }

  private void wakeWaiters() {
    // Only those waiting now: a waiter that re-registers while running waits for the next block.
    for (int n = waiters.size(); n > 0 && (remaining() > 0 || exhausted()); n--) {
      waiters.poll().run();
    }
  }

  /**
   * Stops leasing and offers the unused numbers back to the store, highest block first, so that a clean shutdown
   * leaves no gap when no other instance leased after this one.
   */
  public Future<Void> close() {
    closed = true;
    firstBlock.tryFail(new SequenceStoreException("the number supply closed before its first lease from "
        + store.describe() + " succeeded"));
    if (reportedExhausted) {
      reportedExhausted = false;
      health.instanceRecovered();
    }
    Block sparePart = spare;
    Block currentPart = next < end ? new Block(next, end) : null;
    spare = null;
    next = end;
    held.set(0);
    // A lease still in flight holds the highest block: it is given back first, and the store must not be closed
    // before that has happened.
    Future<?> done = leasing ? leaseSettled : Future.succeededFuture();
    if (sparePart != null) {
      done = done.compose(ignored -> store.giveBack(sparePart));
    }
    if (currentPart != null) {
      done = done.compose(ignored -> store.giveBack(currentPart));
    }
    return done.mapEmpty();
  }

  /** The supply's counters, for the instance's counter snapshot. */
  public JsonObject counters() {
    return new JsonObject()
        .put("sequenceLeases", leases.get())
        .put("sequenceLeased", leased.get())
        .put("sequenceIssued", issued.get())
        .put("sequenceHeld", held.get());
  }
}
