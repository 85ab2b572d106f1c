package dev.hellonet.hello;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * The one port that the per-loop listeners of a hello deployment share. The first listener to bind settles it: the
 * configured port, after checking that no other process holds it (unless sibling worker processes share it on
 * purpose), or when that is 0 the port the kernel gives; the others then bind that port beside it.
 */
public final class SharedPort {
  private final int configured;
  private final boolean exclusive;
  private final AtomicReference<Future<Integer>> first = new AtomicReference<>();

  /** With {@code exclusive}, a configured port that something else already listens on fails the start. */
  public SharedPort(int configured, boolean exclusive) {
    this.configured = configured;
    this.exclusive = exclusive;
  }

  /**
   * Runs {@code bind} with the port to bind once it is known, after {@code checkFree} for the first listener of an
   * exclusive, fixed port; the future gives the port bound.
   */
  Future<Integer> bind(IntFunction<Future<Integer>> bind, IntFunction<Future<Void>> checkFree) {
    Promise<Integer> mine = Promise.promise();
    Future<Integer> earlier = first.compareAndExchange(null, mine.future());
    if (earlier != null) {
      return earlier.compose(bind::apply);
    }
    Future<Void> free = exclusive && configured != 0 ? checkFree.apply(configured) : Future.succeededFuture();
    free.compose(v -> bind.apply(configured)).onComplete(mine);
    return mine.future();
  }
}
