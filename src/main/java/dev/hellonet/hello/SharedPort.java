package dev.hellonet.hello;

import io.vertx.core.Future;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * The one port that the per-loop listeners of a hello deployment share. It is the configured port; when that is 0,
 * it is the port the kernel gave the first listener to bind, and the others bind that one beside it.
 */
public final class SharedPort {
  private final int configured;
  private final AtomicReference<Future<Integer>> first = new AtomicReference<>();

  public SharedPort(int configured) {
    this.configured = configured;
  }

  /** Runs {@code bind} with the port to bind, once the port is known; the future gives the port bound. */
  Future<Integer> bind(IntFunction<Future<Integer>> bind) {
    if (configured != 0) {
      return bind.apply(configured);
    }
    io.vertx.core.Promise<Integer> mine = io.vertx.core.Promise.promise();
    Future<Integer> earlier = first.compareAndExchange(null, mine.future());
    if (earlier == null) {
      bind.apply(0).onComplete(mine);
      return mine.future();
    }
    return earlier.compose(bind::apply);
  }
}
