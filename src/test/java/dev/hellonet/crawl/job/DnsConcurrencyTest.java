package dev.hellonet.crawl.job;

import dev.hellonet.crawl.policy.TargetPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DNS look-ups take their slots under the job's caps: a job of many seeds on distinct hosts resolves at most
 * {@code concurrency} names at once, and no more than {@code perHostConcurrency} either (look-ups share one
 * pseudo-origin). The scheduler and the target checks are the crawler's own; only the resolver is the test's, since
 * no DNS server runs here: it holds each look-up 200 ms on its worker thread (long enough that the look-ups one pass
 * of the scheduler starts overlap even on a busy machine) and records how many overlap.
 */
@ExtendWith(VertxExtension.class)
class DnsConcurrencyTest {
  private static final int HOSTS = 20;

  /** Counts the look-ups running at once and the most seen; each takes 200 ms and answers 127.0.0.1. */
  private static final class SlowResolver implements TargetChecks.Resolver {
    final AtomicInteger now = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public List<InetAddress> resolve(String host) throws Exception {
      calls.incrementAndGet();
      most.accumulateAndGet(now.incrementAndGet(), Math::max);
      try {
        Thread.sleep(200);
        return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
      } finally {
        now.decrementAndGet();
      }
    }
  }

  @Test
  void lookUpsRespectTheJobsConcurrency(Vertx vertx, VertxTestContext ctx) {
    resolveAll(vertx, ctx, 3, 8, 3);
  }

  @Test
  void lookUpsRespectThePerHostConcurrencyToo(Vertx vertx, VertxTestContext ctx) {
    resolveAll(vertx, ctx, 16, 2, 2);
  }

  /** Resolves {@link #HOSTS} distinct names under the given caps and expects exactly {@code expected} at once. */
  private static void resolveAll(Vertx vertx, VertxTestContext ctx, int concurrency, int perHost, int expected) {
    SlowResolver resolver = new SlowResolver();
    // Event-loop confined, like a job's run: build and drive both on one context.
    vertx.runOnContext(v -> {
      Scheduler[] scheduler = new Scheduler[1];
      scheduler[0] = new Scheduler(vertx, new HostLimiter(concurrency, perHost),
          new HostPacing(0, 0, 0, () -> System.nanoTime() / 1_000_000), 0, () -> true, task -> { });
      // The slow resolver answers 127.0.0.1, which the crawler only reaches when crawler.allow names it.
      TargetChecks checks = new TargetChecks(vertx, new TargetPolicy(List.of("127.0.0.0/8"), List.of()), null, "hellonet-test/1.0", false,
          (uri, address, sink) -> Future.failedFuture("no fetches in this test"), new TargetChecks.Slots() {
            @Override
            public Future<Void> slot(String key) {
              return scheduler[0].slot(key);
            }

            @Override
            public void release(String key) {
              scheduler[0].release(key);
            }
          }, resolver);
      List<Future<InetAddress>> lookUps = new ArrayList<>();
      for (int i = 0; i < HOSTS; i++) {
        lookUps.add(checks.address("host-" + i + ".test"));
      }
      Future.all(lookUps).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertEquals(HOSTS, resolver.calls.get(), "every name resolved once");
        assertEquals(expected, resolver.most.get(), "look-ups at once: the cap reached and never passed");
        ctx.completeNow();
      })));
    });
  }
}
