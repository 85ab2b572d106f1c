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
 * current one is still left, so the event loop does not wait for the disk unless the rate outruns the store; the block
 * size doubles when leases come faster than {@link #FAST_LEASE_NANOS} and halves when slower than
 * {@link #SLOW_LEASE_NANOS}, between the configured bounds. Not thread-safe: owned by one event-loop context.
 */
public final class NumberSupply {
  static final long FAST_LEASE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  static final long SLOW_LEASE_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Logger LOG = Logger.getLogger(NumberSupply.class.getName());

  private final Vertx vertx;
  private final SequenceStore store;
  private final long minBlock;
  private final long maxBlock;
  private final LongSupplier nanoClock;
  private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();

  private long next;
  private long end;
  private Block spare;
  private boolean leasing;
  /** While a lease is in flight: completes once its block has been put to use or given back. */
  private Future<Void> leaseSettled;
  private boolean closed;
  private long blockSize;
  private long lastLeaseNanos = Long.MIN_VALUE;
  private long retryDelayMs = 50;

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
  }

  /** Leases the first block; completes when numbers are available. */
  public Future<Void> start() {
    Promise<Void> ready = Promise.promise();
    whenAvailable(ready::complete);
    return ready.future();
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
    if (remaining() > 0) {
      vertx.runOnContext(v -> wakeWaiters());
    } else {
      maybeLease();
    }
  }

  private long remaining() {
    return (end - next) + (spare == null ? 0 : spare.size());
  }

  private void maybeLease() {
    if (leasing || closed || spare != null || end - next > blockSize / 2) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (lastLeaseNanos != Long.MIN_VALUE) {
      long interval = now - lastLeaseNanos;
      if (interval < FAST_LEASE_NANOS) {
        blockSize = Math.min(maxBlock, blockSize * 2);
      } else if (interval > SLOW_LEASE_NANOS) {
        blockSize = Math.max(minBlock, blockSize / 2);
      }
    }
    lastLeaseNanos = now;
    leasing = true;
    long size = blockSize;
    // A lease that completed before onComplete was attached would run its callback right here, in the middle of a
    // connection's take(); going through runOnContext makes waking the waiters always a separate event-loop task.
    Promise<Void> settled = Promise.promise();
    leaseSettled = settled.future();
    store.lease(size).onComplete(ar -> vertx.runOnContext(v -> {
      leasing = false;
      if (ar.succeeded()) {
        retryDelayMs = 50;
        accept(ar.result()).onComplete(x -> settled.complete());
        return;
      }
      settled.complete();
      if (!closed) {
        LOG.log(Level.SEVERE, "leasing " + size + " numbers from " + store.describe() + " failed; retrying in "
            + retryDelayMs + " ms", ar.cause());
        vertx.setTimer(retryDelayMs, t -> maybeLease());
        retryDelayMs = Math.min(5_000, retryDelayMs * 2);
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
    wakeWaiters();
    maybeLease();
    return Future.succeededFuture();
  }

  private void wakeWaiters() {
    // Only those waiting now: a waiter that re-registers while running waits for the next block.
    for (int n = waiters.size(); n > 0 && remaining() > 0; n--) {
      waiters.poll().run();
    }
  }

  /**
   * Stops leasing and offers the unused numbers back to the store, highest block first, so that a clean shutdown
   * leaves no gap when no other instance leased after this one.
   */
  public Future<Void> close() {
    closed = true;
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
