package dev.hellonet.app;

import dev.hellonet.bus.Addresses;
import dev.hellonet.sequence.SequenceStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Answers {@link Addresses#NODE_STATUS}: version, uptime, transport, instances, the sequence store (its mark read now,
 * and its health: a store that does not answer is reported as such, not turned into a failed status), lifecycle, and
 * the flood protection in force with the kernel's defences.
 */
final class NodeStatusVerticle extends VerticleBase {
  /** How long the store may take to report its mark before the status says it does not answer. */
  private static final long STORE_TIMEOUT_MS = 2_000;
  /**
   * How long a read of the high-water mark is reused. The mark is for display, and each read takes the sequence file
   * lock on the store's one worker thread, queued with leases: a flood of status or readiness requests must not
   * become a flood of reads that delays leases.
   */
  static final long MARK_REUSE_MS = 1_000;

  private final String version;
  private final Instant startedAt;
  private final String transport;
  private final Map<String, Integer> instances;
  private final SequenceStore store;
  private final NodeLifecycle lifecycle;
  private final Supplier<JsonObject> protection;
  private Future<Long> markRead;
  private long markReadAt;

  NodeStatusVerticle(String version, Instant startedAt, String transport, Map<String, Integer> instances,
                     SequenceStore store, NodeLifecycle lifecycle, Supplier<JsonObject> protection) {
    this.version = version;
    this.startedAt = startedAt;
    this.transport = transport;
    this.instances = Map.copyOf(instances);
    this.store = store;
    this.lifecycle = lifecycle;
    this.protection = protection;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().consumer(Addresses.NODE_STATUS, msg -> highWaterMark()
        .onComplete(ar -> {
          JsonObject sequence = store.status().put("reachable", ar.succeeded());
          if (ar.succeeded()) {
            sequence.put("highWaterMark", ar.result());
          } else {
            sequence.put("error", "sequence store " + store.describe() + " does not answer: " + ar.cause().getMessage());
          }
          msg.reply(status(sequence));
        })).completion();
  }

  /** One read at a time, reused for {@link #MARK_REUSE_MS} once it succeeded; a failed read is not reused. */
  private Future<Long> highWaterMark() {
    long now = System.nanoTime();
    boolean stale = markRead == null || (markRead.isComplete()
        && (markRead.failed() || now - markReadAt > MARK_REUSE_MS * 1_000_000));
    if (stale) {
      markReadAt = now;
      markRead = store.highWaterMark().timeout(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }
    return markRead;
  }

  private JsonObject status(JsonObject sequence) {
    JsonObject protectionStatus = protection.get();
    JsonObject roles = new JsonObject();
    instances.forEach(roles::put);
    return new JsonObject()
        .put("version", version)
        .put("startedAt", startedAt.toString())
        .put("uptimeMs", Math.max(0, System.currentTimeMillis() - startedAt.toEpochMilli()))
        .put("transport", transport)
        .put("accepting", lifecycle.accepting())
        .put("instances", roles)
        .put("hello", new JsonObject().put("listening", lifecycle.helloListening()).put("port", lifecycle.helloPort()))
        .put("sequence", sequence)
        .put("kernelDefences", new JsonObject().put("warnings", protectionStatus.getJsonObject("kernel").getJsonArray("warnings")))
        .put("protection", protectionStatus);
  }
}
