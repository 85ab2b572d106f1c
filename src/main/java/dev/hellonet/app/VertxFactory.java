package dev.hellonet.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;

/**
 * Builds a node's Vert.x from a builder that already carries the node's options, transport and metrics. The one step
 * of the start that differs between a standalone node ({@link #STANDALONE}) and one that joins a cluster (a factory
 * that adds a cluster manager and calls {@link VertxBuilder#buildClustered()}).
 */
@FunctionalInterface
public interface VertxFactory {
  /** A Vert.x of its own, in this process only. */
  VertxFactory STANDALONE = builder -> Future.succeededFuture(builder.build());

  Future<Vertx> build(VertxBuilder builder);
}
