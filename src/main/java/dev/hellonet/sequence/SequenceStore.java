package dev.hellonet.sequence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Leases blocks of numbers that are unique across every lease ever made from the same store, by any process,
 * before and after restarts. Implementations do their I/O off the event loop.
 */
public interface SequenceStore {

  /** Reserves {@code size} numbers durably; the block is safe to hand out once the future completes. */
  Future<Block> lease(long size);

  /**
   * Offers back the unused tail of a block on graceful shutdown. The store takes it back only when nothing was leased
   * after it, so that the numbers are not lost; otherwise the gap stays. Completes with whether it was taken back.
   */
  Future<Boolean> giveBack(Block unused);

  /** The lowest number no lease has returned yet, read from the store itself. */
  Future<Long> highWaterMark();

  /** The high-water mark as this process last saw it, without any I/O: for counters. */
  long knownHighWaterMark();

  /** A short description for logs and status, such as {@code file:/srv/hellonet/data/sequence}. */
  String describe();

  /**
   * What makes two stores one store, read from the store itself rather than from how it is configured: two names for
   * one store give the same identity, and the same name for two stores does not. Cluster members compare it before
   * they serve a number. By default the description.
   */
  default Future<String> identity() {
    return Future.succeededFuture(describe());
  }

  /** How this store's leases have been going; every supply of the node reports into it. */
  StoreHealth health();

  /** For the status endpoint: what the store is, its last known mark and its health. */
  default JsonObject status() {
    return new JsonObject().put("store", describe()).put("highWaterMark", knownHighWaterMark())
        .mergeIn(health().status());
  }

  /** For the counter registry: numbers only. */
  default JsonObject counters() {
    return health().counters().put("highWaterMark", knownHighWaterMark());
  }

  Future<Void> close();
}
