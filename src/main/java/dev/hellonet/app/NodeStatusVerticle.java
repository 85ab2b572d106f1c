package dev.hellonet.app;

import dev.hellonet.bus.Addresses;
import dev.hellonet.cluster.ClusterView;
import dev.hellonet.sequence.SequenceStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Answers {@link Addresses#NODE_STATUS}: version, uptime, transport, instances, the sequence store (its mark read now,
 * and its health: a store that does not answer is reported as such, not turned into a failed status), lifecycle, and
 * the flood protection in force with the kernel's defences; on a supervised worker, the supervisor's report of its
 * workers (read from the supervisor's status file now), and when clustered the node's id and the live members.
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
  private final ClusterView cluster;
  private final Optional<Path> supervisorStatus;
  private Future<Long> markRead;
  private long markReadAt;

  NodeStatusVerticle(String version, Instant startedAt, String transport, Map<String, Integer> instances,
                     SequenceStore store, NodeLifecycle lifecycle, Supplier<JsonObject> protection,
                     ClusterView cluster, Optional<Path> supervisorStatus) {
    this.version = version;
    this.startedAt = startedAt;
    this.transport = transport;
    this.instances = Map.copyOf(instances);
    this.store = store;
    this.lifecycle = lifecycle;
    this.protection = protection;
    this.cluster = cluster;
    this.supervisorStatus = supervisorStatus;
  }

  @Override
  public Future<?> start() {
    // Local: in a cluster, the node asked is the node that answers.
    return vertx.eventBus().localConsumer(Addresses.NODE_STATUS, msg -> highWaterMark()
        .onComplete(ar -> {
          JsonObject sequence = store.status().put("reachable", ar.succeeded());
          if (ar.succeeded()) {
            sequence.put("highWaterMark", ar.result());
          } else {
            sequence.put("error", "sequence store " + store.describe() + " does not answer: " + ar.cause().getMessage());
          }
          JsonObject status = status(sequence);
          if (cluster.clustered()) {
            status.put("cluster", new JsonObject().put("nodeId", cluster.nodeId())
                .put("nodes", new JsonArray(cluster.nodeIds())));
          }
          supervisor().onComplete(sup -> {
            if (sup.result() != null) {
              status.put("supervisor", sup.result());
            }
            msg.reply(status);
          });
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

  /** The supervisor's report (read now, on a worker thread), null when not supervised; a read error is reported. */
  private Future<JsonObject> supervisor() {
    if (supervisorStatus.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.fileSystem().readFile(supervisorStatus.get().toString())
        .map(buffer -> buffer.toJsonObject())
        .recover(e -> Future.succeededFuture(new JsonObject().put("error",
            "cannot read the supervisor's status " + supervisorStatus.get() + ": " + e.getMessage())));
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
