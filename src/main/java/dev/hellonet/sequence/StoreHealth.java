package dev.hellonet.sequence;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How leases from one store have been going, as every {@link NumberSupply} of a node reports them: latency, failures,
 * the time the store has been failing, and how many instances have run out of numbers (which makes the node not
 * ready). Thread-safe; written a few times a second at most, so plain atomics and a lock cost nothing.
 */
public final class StoreHealth {
  private final LongSupplier nanoClock;
  private final AtomicLong leases = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong latencyTotalMicros = new AtomicLong();
  private final AtomicLong latencyMaxMicros = new AtomicLong();
  private volatile long latencyLastMicros;
  private volatile String lastError = "";
  private final AtomicInteger exhaustedInstances = new AtomicInteger();
  /** Guarded by this: when the current outage began (0 = none), and the outages before it in total. */
  private long failingSinceNanos;
  private long withoutStoreNanos;

  public StoreHealth() {
    this(System::nanoTime);
  }

  StoreHealth(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** A lease returned a durable block after {@code nanos}; ends an outage if one was running. */
  public void leaseSucceeded(long nanos) {
    long micros = TimeUnit.NANOSECONDS.toMicros(nanos);
    leases.incrementAndGet();
    latencyTotalMicros.addAndGet(micros);
    latencyMaxMicros.accumulateAndGet(micros, Math::max);
    latencyLastMicros = micros;
    synchronized (this) {
      if (failingSinceNanos != 0) {
        withoutStoreNanos += nanoClock.getAsLong() - failingSinceNanos;
        failingSinceNanos = 0;
      }
    }
  }

  /** A lease failed; the first failure after a success starts an outage. */
  public void leaseFailed(Throwable cause) {
    failures.incrementAndGet();
    lastError = String.valueOf(cause.getMessage());
    synchronized (this) {
      if (failingSinceNanos == 0) {
        failingSinceNanos = Math.max(1, nanoClock.getAsLong());
      }
    }
  }

  /** One instance has no numbers left while the store fails: it answers {@code ERR unavailable}. */
  void instanceExhausted() {
    exhaustedInstances.incrementAndGet();
  }

  /** That instance has numbers again. */
  void instanceRecovered() {
    exhaustedInstances.decrementAndGet();
  }

  /** False from a failed lease until the next one succeeds. */
  public synchronized boolean healthy() {
    return failingSinceNanos == 0;
  }

  /** Instances that have run out of numbers because the store fails; above 0 the node is not ready. */
  public int exhaustedInstances() {
    return exhaustedInstances.get();
  }

  /** Total time the store has been failing, the current outage included. */
  public synchronized long withoutStoreMs() {
    long nanos = withoutStoreNanos + (failingSinceNanos == 0 ? 0 : nanoClock.getAsLong() - failingSinceNanos);
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** Numbers only, for the counter registry (and so Prometheus). */
  public JsonObject counters() {
    return new JsonObject()
        .put("leases", leases.get())
        .put("leaseFailures", failures.get())
        .put("leaseLatencyTotalMicros", latencyTotalMicros.get())
        .put("leaseLatencyMaxMicros", latencyMaxMicros.get())
        .put("leaseLatencyLastMicros", latencyLastMicros)
        .put("withoutStoreMs", withoutStoreMs())
        .put("exhaustedInstances", exhaustedInstances());
  }

  /** The counters plus whether the store is healthy now and the last error it gave, for the status endpoint. */
  public JsonObject status() {
    return counters().put("healthy", healthy()).put("lastError", lastError);
  }
}
