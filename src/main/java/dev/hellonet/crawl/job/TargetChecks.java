package dev.hellonet.crawl.job;

import dev.hellonet.crawl.extract.UrlNormalizer;
import dev.hellonet.crawl.fetch.BodySink;
import dev.hellonet.crawl.fetch.FetchException;
import dev.hellonet.crawl.fetch.FetchResult;
import dev.hellonet.crawl.policy.RobotsRules;
import dev.hellonet.crawl.policy.TargetPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a task may be fetched at all, before it takes a slot: its host is resolved once per job and every address
 * checked against the target policy, then robots.txt is read once per origin and asked about the path. Event-loop
 * confined; DNS look-ups run on worker threads.
 */
final class TargetChecks {
  private static final long ROBOTS_MAX_BYTES = 512 * 1024;
  private static final int ROBOTS_MAX_REDIRECTS = 5;

  /** Fetches one URL from a vetted address, counted as the job's request in flight. */
  interface Fetch {
    Future<FetchResult> get(URI uri, InetAddress address, BodySink sink);
  }

  /** Slots under the job's caps ({@link Scheduler#slot}, {@link Scheduler#release}). */
  interface Slots {
    Future<Void> slot(String key);

    void release(String key);

    /** The origin's robots.txt asks for {@code ms} between requests. */
    default void crawlDelay(String origin, long ms) {
    }
  }

  /** Resolves a host name to its addresses; blocking, so it runs on a worker thread. */
  interface Resolver {
    List<InetAddress> resolve(String host) throws Exception;
  }

  /** The system's resolver, which the crawler uses; tests that must see look-ups overlap pass a slow one. */
  static final Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

  /** The pseudo-origin DNS look-ups take their slots under. */
  static final String DNS = "(dns)";

  /** The answer for one task: go ahead ({@link #GO}), skip it (a refusal) or fail it (an error of the page). */
  record Verdict(boolean error, String reason) {
    static final Verdict GO = new Verdict(false, null);

    boolean go() {
      return reason == null;
    }
  }

  private final Vertx vertx;
  private final TargetPolicy policy;
  private final WorkerExecutor parsePool;
  private final String userAgent;
  private final boolean respectRobots;
  private final Fetch fetch;
  private final Slots slots;
  private final Resolver resolver;
  private final Map<String, Future<InetAddress>> targets = new HashMap<>();
  private final Map<String, Future<RobotsRules>> robots = new HashMap<>();

  TargetChecks(Vertx vertx, TargetPolicy policy, WorkerExecutor parsePool, String userAgent, boolean respectRobots,
               Fetch fetch, Slots slots, Resolver resolver) {
    this.slots = slots;
    this.resolver = resolver;
    this.vertx = vertx;
    this.policy = policy;
    this.parsePool = parsePool;
    this.userAgent = userAgent;
    this.respectRobots = respectRobots;
    this.fetch = fetch;
  }

  /** Vets the task's target, then (when the job honours it) robots.txt. */
  Future<Verdict> vet(Task task) {
    return address(task.host()).transform(t -> {
      if (t.failed()) {
        // A name that does not resolve is an error of the page; a refusal by the policy is a skip.
        return Future.succeededFuture(new Verdict(t.cause() instanceof FetchException, t.cause().getMessage()));
      }
      if (!respectRobots) {
        return Future.succeededFuture(Verdict.GO);
      }
      return robots(task).compose(r -> {
        String path = task.pathAndQuery();
        // Plain prefixes are checked here; wildcard rules (bounded, but up to milliseconds) on the parse pool.
        Future<String> refusal = r.hasWildcards() ? parsePool.executeBlocking(() -> r.refusal(path), false)
            : Future.succeededFuture(r.refusal(path));
        return refusal.map(why -> why == null ? Verdict.GO : new Verdict(false, why + " for " + task.url));
      });
    });
  }

  /** The vetted address of {@code host}, resolved once per job; fails with the policy's reason when denied. */
  Future<InetAddress> address(String host) {
    return address(host, true);
  }

  /**
   * As {@link #address(String)}; a look-up for a robots.txt redirect ({@code slotted} false) runs under the slot the
   * robots.txt fetch already holds, since waiting for a second slot while holding one could deadlock a full job.
   */
  private Future<InetAddress> address(String host, boolean slotted) {
    return targets.computeIfAbsent(host, h -> {
      String bare = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
      String denied = policy.checkName(bare);
      if (denied != null) {
        return Future.failedFuture(denied);
      }
      Future<List<InetAddress>> resolved = slotted
          ? slots.slot(DNS).compose(v -> vertx.executeBlocking(() -> resolver.resolve(bare), false))
              .andThen(ar -> slots.release(DNS))
          : vertx.executeBlocking(() -> resolver.resolve(bare), false);
      return resolved.transform(ar -> {
        if (ar.failed()) {
          return Future.failedFuture(new FetchException(FetchException.Kind.CONNECT,
              "cannot resolve " + h + ": " + ar.cause().getMessage(), 0));
        }
        List<InetAddress> addresses = ar.result();
        String refusal = policy.check(bare, addresses);
        if (refusal != null) {
          return Future.failedFuture(refusal);
        }
        // Prefer IPv4: "localhost" often lists ::1 first while test and bench servers bind 127.0.0.1.
        InetAddress chosen = addresses.stream().filter(a -> a instanceof Inet4Address).findFirst()
            .orElse(addresses.get(0));
        return Future.succeededFuture(chosen);
      });
    });
  }

  private Future<RobotsRules> robots(Task task) {
    return robots.computeIfAbsent(task.origin(), o -> slots.slot(o)
        .compose(v -> fetchRobots(URI.create(o + "/robots.txt"), 0))
        .andThen(ar -> {
          // Before the release, which lets the next request to this origin go.
          if (ar.succeeded() && ar.result().crawlDelayMs() > 0) {
            slots.crawlDelay(o, ar.result().crawlDelayMs());
          }
          slots.release(o);
        }));
  }

  /** robots.txt: 2xx is parsed, 4xx and network failures allow everything, 5xx refuses the origin (RFC 9309). */
  private Future<RobotsRules> fetchRobots(URI uri, int hops) {
    return address(uri.getHost(), false).compose(address -> fetch.get(uri, address, BodySink.inMemory(ROBOTS_MAX_BYTES)))
        .compose(r -> {
          if (r.status() >= 300 && r.status() < 400 && r.location() != null && hops < ROBOTS_MAX_REDIRECTS) {
            String next = UrlNormalizer.normalize(uri.toString(), r.location());
            return next == null ? Future.succeededFuture(RobotsRules.allowAll())
                : fetchRobots(URI.create(next), hops + 1);
          }
          if (r.status() >= 200 && r.status() < 300) {
            String text = r.body().toString();
            return parsePool.executeBlocking(() -> RobotsRules.parse(text, userAgent), false);
          }
          if (r.status() >= 500) {
            return Future.succeededFuture(RobotsRules.disallowAll("robots.txt of " + uri.getRawAuthority()
                + " answered HTTP " + r.status() + ", so the site is treated as disallowed"));
          }
          return Future.succeededFuture(RobotsRules.allowAll());
        }).recover(e -> Future.succeededFuture(RobotsRules.allowAll()));
  }
}
