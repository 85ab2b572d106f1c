package dev.hellonet.testing;

import io.vertx.core.Future;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one blocking wait of the tests, for the places where blocking reads clearer than a {@code VertxTestContext}:
 * a test thread that drives real sockets or processes and needs a node started or stopped before its next step.
 * Asynchronous checks use vertx-junit5's {@code VertxExtension} instead.
 */
public final class Await {
  /** Generous: a node starts in about a second on a quiet machine, and tests run on a busy 2-core one. */
  public static final long DEFAULT_SECONDS = 30;

  private Await() {}

  /** The future's result, or its failure rethrown as it is (an Exception) or wrapped (anything else). */
  public static <T> T result(Future<T> future) throws Exception {
    return result(future, DEFAULT_SECONDS);
  }

  public static <T> T result(Future<T> future, long seconds) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("not completed within " + seconds + " s", e);
    }
  }

  /** A condition polled by {@link #until}; it may throw, which fails the wait at once. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls {@code condition} every 20 ms until it holds; fails naming {@code what} after {@link #DEFAULT_SECONDS}. */
  public static void until(Condition condition, String what) throws Exception {
    until(condition, DEFAULT_SECONDS, what);
  }

  public static void until(Condition condition, long seconds, String what) throws Exception {
    until(condition, seconds, () -> what);
  }

  /** As {@link #until(Condition, long, String)}, with the failure's text made when it fails (to show the state then). */
  public static void until(Condition condition, long seconds, java.util.function.Supplier<String> what)
      throws Exception {
    until(condition, seconds, 20, what);
  }

  /** As above, polling every {@code pollMillis}: slower for a condition that costs the servers something to answer. */
  public static void until(Condition condition, long seconds, long pollMillis,
      java.util.function.Supplier<String> what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + seconds + " s: " + what.get());
      }
      Thread.sleep(pollMillis);
    }
  }

  /** The failure a future ended with; an assertion error if it succeeded or did not end in time. */
  public static Throwable failure(Future<?> future) throws InterruptedException {
    try {
      future.toCompletionStage().toCompletableFuture().get(DEFAULT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("not completed within " + DEFAULT_SECONDS + " s", e);
    }
    throw new AssertionError("expected a failure, but the future succeeded");
  }
}
