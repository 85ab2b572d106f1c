package dev.hellonet.app;

import dev.hellonet.api.HttpApiVerticle;
import dev.hellonet.config.HellonetConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.counters.CountersVerticle;
import dev.hellonet.crawl.CrawlerVerticle;
import dev.hellonet.guard.DeferAcceptTransport;
import dev.hellonet.guard.Protection;
import dev.hellonet.hello.HelloServerVerticle;
import dev.hellonet.sequence.SequenceStore;
import dev.hellonet.sequence.SequenceStores;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One running hellonet node: its Vert.x instance, sequence store, counters and deployed verticles, started and stopped
 * as a unit. {@code Main} runs one; tests run as many as they like side by side.
 *
 * <p>Results are handed out through promises that belong to no context: Vert.x completes {@code close()} on a thread
 * of its own once the event loops are gone, so a result routed through a future bound to one of those event loops
 * would never arrive.
 */
public final class Hellonet {
  private static final Logger LOG = Logger.getLogger(Hellonet.class.getName());

  private final Vertx vertx;
  private final CounterRegistry registry;
  private final SequenceStore store;
  private final List<HelloServerVerticle> helloInstances;
  private final String helloDeployment;
  private final Protection protection;
  private final NodeLifecycle lifecycle;
  private final long drainDelayMs;
  private String crawlerDeployment;
  private HttpApiVerticle http;
  private String httpDeployment;

  private Hellonet(Vertx vertx, CounterRegistry registry, SequenceStore store,
                   List<HelloServerVerticle> helloInstances, String helloDeployment, Protection protection,
                   NodeLifecycle lifecycle, long drainDelayMs) {
    this.vertx = vertx;
    this.registry = registry;
    this.store = store;
    this.helloInstances = helloInstances;
    this.helloDeployment = helloDeployment;
    this.protection = protection;
    this.lifecycle = lifecycle;
    this.drainDelayMs = drainDelayMs;
  }

  /** The version in the jar's manifest; "development" when running from classes. */
  static String version() {
    String v = Hellonet.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }

  /** Builds the Vert.x instance and deploys everything; fails (and cleans up) if any part cannot start. */
  public static Future<Hellonet> start(HellonetConfig config) {
    Transport transport = DeferAcceptTransport.around(TransportSelector.select(config.transport()));
    Protection protection = Protection.create(config, transport);
    Instant startedAt = Instant.now();
    // One registry per node, under a name of its own: vertx-micrometer keeps registries in a static map by name, and
    // tests run several nodes in one JVM.
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName("hellonet-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(Math.max(config.hello().instances(),
            Runtime.getRuntime().availableProcessors())).setMetricsOptions(metrics))
        .withTransport(transport)
        .withMetrics(new MicrometerMetricsFactory(meters))
        .build();
    NodeLifecycle lifecycle = new NodeLifecycle();
    CounterRegistry registry = new CounterRegistry(ManagementFactory.getRuntimeMXBean().getName());
    registry.register("protection", "node", protection::counters);
    List<HelloServerVerticle> instances = new CopyOnWriteArrayList<>();
    AtomicInteger index = new AtomicInteger();

    HttpApiVerticle.Contract[] contract = new HttpApiVerticle.Contract[1];
    Future<Hellonet> deployed = HttpApiVerticle.loadContract(vertx)
        .compose(c -> {
          contract[0] = c;
          return SequenceStores.open(vertx, config.sequence());
        })
        .compose(store -> {
          registry.register("sequence", store.describe(), store::counters);
          String[] crawler = new String[1];
          return vertx.deployVerticle(new CountersVerticle(registry, config.counters().publishIntervalMs()))
              .compose(id -> vertx.deployVerticle(new CrawlerVerticle(config.crawler(), registry)))
              .onSuccess(id -> crawler[0] = id)
              .compose(id -> vertx.deployVerticle(() -> {
                HelloServerVerticle v = new HelloServerVerticle(config.hello(), config.sequence(), store, registry,
                    "hello-" + index.getAndIncrement(), config.shutdown().timeoutMs(), protection);
                instances.add(v);
                return v;
              }, new DeploymentOptions().setInstances(config.hello().instances())))
              .map(helloId -> {
                Hellonet node = new Hellonet(vertx, registry, store, instances, helloId, protection, lifecycle,
                    config.shutdown().drainDelayMs());
                node.crawlerDeployment = crawler[0];
                lifecycle.helloListening(node.helloPort());
                return node;
              })
              .compose(node -> vertx.deployVerticle(new NodeStatusVerticle(version(), startedAt, transport.name(),
                      Map.of("hello", config.hello().instances(), "crawler", 1, "counters", 1, "http", 1), store,
                      lifecycle, () -> protection.kernel().warnings()))
                  .compose(id -> {
                    node.http = new HttpApiVerticle(config.http(), config.api(), meters,
                        config.shutdown().timeoutMs(), contract[0]);
                    return vertx.deployVerticle(node.http);
                  })
                  .map(id -> {
                    node.httpDeployment = id;
                    return node;
                  }))
              .recover(e -> store.close().transform(ignored -> Future.failedFuture(e)));
        });
    Promise<Hellonet> started = Promise.promise();
    deployed.onComplete(ar -> {
      if (ar.succeeded()) {
        Hellonet node = ar.result();
        LOG.info("hellonet ready: hello server on " + config.hello().host() + ":" + node.helloPort() + " with "
            + config.hello().instances() + " instance(s), numbers from " + node.store.describe() + ", transport "
            + transport.name() + "; HTTP API on " + config.http().host() + ":" + node.httpPort()
            + (config.api().authEnabled() ? " (token required for POST and DELETE)" : ""));
        started.complete(node);
      } else {
        vertx.close().onComplete(closed -> started.fail(ar.cause()));
      }
    });
    return started.future();
  }

  /**
   * Graceful stop: readiness turns false at once and the node keeps serving for {@code shutdown.drainDelayMs}; then the
   * HTTP API stops (finishing requests in flight), the hello servers stop accepting, answer what they have read and
   * close their connections (cut after {@code shutdown.timeoutMs}), unused numbers are offered back, the crawler
   * stops, the store is closed, then Vert.x.
   */
  public Future<Void> stop() {
    lifecycle.stopAccepting();
    Promise<Void> drained = Promise.promise();
    if (drainDelayMs > 0) {
      vertx.setTimer(drainDelayMs, id -> drained.complete());
    } else {
      drained.complete();
    }
    Promise<Void> stopped = Promise.promise();
    drained.future()
        .compose(v -> httpDeployment == null ? Future.succeededFuture() : vertx.undeploy(httpDeployment))
        .eventually(() -> {
          lifecycle.helloStopped();
          return vertx.undeploy(helloDeployment);
        })
        .eventually(() -> vertx.undeploy(crawlerDeployment))
        .eventually(store::close)
        .onComplete(undeployed -> vertx.close().onComplete(closed ->
            stopped.handle(undeployed.failed() ? undeployed : closed)));
    return stopped.future();
  }

  public int helloPort() {
    return helloInstances.get(0).actualPort();
  }

  /** The port the HTTP API listens on, which differs from the configured one when that was 0. */
  public int httpPort() {
    return http.actualPort();
  }

  public CounterRegistry counters() {
    return registry;
  }

  /** The node's flood protection: limits in force, kernel checks (with warnings), open connections. */
  public Protection protection() {
    return protection;
  }
}
