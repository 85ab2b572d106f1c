package dev.hellonet.counters;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Puts this node's counters on the event bus: published periodically and answered on request. */
public final class CountersVerticle extends VerticleBase {
  private final CounterRegistry registry;
  private final long publishIntervalMs;

  public CountersVerticle(CounterRegistry registry, long publishIntervalMs) {
    this.registry = registry;
    this.publishIntervalMs = publishIntervalMs;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(publishIntervalMs, id -> vertx.eventBus().publish(Addresses.COUNTERS, registry.snapshot()));
    return vertx.eventBus().consumer(Addresses.COUNTERS_GET, msg -> msg.reply(registry.snapshot())).completion();
  }
}
