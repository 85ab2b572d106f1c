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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Answers {@link Addresses#NODE_STATUS}: version, uptime, transport, instances, the sequence store (read now, so a
 * reply also proves the store answers), lifecycle, the kernel-defence warnings of whatever provides them, and on a
 * supervised worker the supervisor's report of its workers (read from the supervisor's status file now).
 */
final class NodeStatusVerticle extends VerticleBase {
  /** How long the store may take to report its mark before the status says it does not answer. */
  private static final long STORE_TIMEOUT_MS = 2_000;

  private final String version;
  private final Instant startedAt;
  private final String transport;
  private final Map<String, Integer> instances;
  private final SequenceStore store;
  private final NodeLifecycle lifecycle;
  private final Supplier<List<String>> kernelWarnings;
  private final ClusterView cluster;
  private final Optional<Path> supervisorStatus;

  NodeStatusVerticle(String version, Instant startedAt, String transport, Map<String, Integer> instances,
                     SequenceStore store, NodeLifecycle lifecycle, Supplier<List<String>> kernelWarnings,
                     ClusterView cluster, Optional<Path> supervisorStatus) {
    this.version = version;
    this.startedAt = startedAt;
    this.transport = transport;
    this.instances = Map.copyOf(instances);
    this.store = store;
    this.lifecycle = lifecycle;
    this.kernelWarnings = kernelWarnings;
    this.cluster = cluster;
    this.supervisorStatus = supervisorStatus;
  }

  @Override
  public Future<?> start() {
    // Local: in a cluster, the node asked is the node that answers.
    return vertx.eventBus().localConsumer(Addresses.NODE_STATUS, msg -> store.highWaterMark()
        .timeout(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .compose(mark -> supervisor().map(sup -> {
          JsonObject status = status(mark);
          if (sup != null) {
            status.put("supervisor", sup);
          }
          if (cluster.clustered()) {
            status.put("cluster", new JsonObject().put("nodeId", cluster.nodeId())
                .put("nodes", new JsonArray(cluster.nodeIds())));
          }
          return status;
        }))
        .onSuccess(msg::reply)
        .onFailure(e -> msg.fail(Addresses.FAILURE_UNAVAILABLE,
            "sequence store " + store.describe() + " does not answer: " + e.getMessage()))).completion();
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

  private JsonObject status(long highWaterMark) {
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
        .put("sequence", new JsonObject().put("store", store.describe()).put("highWaterMark", highWaterMark))
        .put("kernelDefences", new JsonObject().put("warnings", new JsonArray(List.copyOf(kernelWarnings.get()))));
  }
}
