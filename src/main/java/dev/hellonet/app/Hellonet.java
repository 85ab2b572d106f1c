package dev.hellonet.app;

import dev.hellonet.config.HellonetConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.counters.CountersVerticle;
import dev.hellonet.crawl.CrawlerVerticle;
import dev.hellonet.guard.DeferAcceptTransport;
import dev.hellonet.guard.Protection;
import dev.hellonet.hello.HelloServerVerticle;
import dev.hellonet.sequence.FileSequenceStore;
import dev.hellonet.sequence.SequenceStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;

import java.lang.management.ManagementFactory;
import java.util.List;
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
  private String crawlerDeployment;

  private Hellonet(Vertx vertx, CounterRegistry registry, SequenceStore store,
                   List<HelloServerVerticle> helloInstances, String helloDeployment, Protection protection) {
    this.vertx = vertx;
    this.registry = registry;
    this.store = store;
    this.helloInstances = helloInstances;
    this.helloDeployment = helloDeployment;
    this.protection = protection;
  }

  /** Builds the Vert.x instance and deploys everything; fails (and cleans up) if any part cannot start. */
  public static Future<Hellonet> start(HellonetConfig config) {
    Transport transport = DeferAcceptTransport.around(TransportSelector.select(config.transport()));
    Protection protection = Protection.create(config, transport);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(Math.max(config.hello().instances(),
            Runtime.getRuntime().availableProcessors())))
        .withTransport(transport)
        .build();
    CounterRegistry registry = new CounterRegistry(ManagementFactory.getRuntimeMXBean().getName());
    registry.register("protection", "node", protection::counters);
    List<HelloServerVerticle> instances = new CopyOnWriteArrayList<>();
    AtomicInteger index = new AtomicInteger();

    Future<Hellonet> deployed = FileSequenceStore.open(vertx, config.sequence().file())
        .compose(store -> {
          registry.register("sequence", store.describe(),
              () -> new JsonObject().put("highWaterMark", store.knownHighWaterMark()));
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
                Hellonet node = new Hellonet(vertx, registry, store, instances, helloId, protection);
                node.crawlerDeployment = crawler[0];
                return node;
              })
              .recover(e -> store.close().transform(ignored -> Future.failedFuture(e)));
        });
    Promise<Hellonet> started = Promise.promise();
    deployed.onComplete(ar -> {
      if (ar.succeeded()) {
        Hellonet node = ar.result();
        LOG.info("hellonet ready: hello server on " + config.hello().host() + ":" + node.helloPort() + " with "
            + config.hello().instances() + " instance(s), numbers from " + node.store.describe() + ", transport "
            + transport.name());
        started.complete(node);
      } else {
        vertx.close().onComplete(closed -> started.fail(ar.cause()));
      }
    });
    return started.future();
  }

  /**
   * Graceful stop: the hello servers stop accepting, answer what they have read and close their connections (cut
   * after {@code shutdown.timeoutMs}), unused numbers are offered back, the store is closed, then Vert.x.
   */
  public Future<Void> stop() {
    Promise<Void> stopped = Promise.promise();
    vertx.undeploy(helloDeployment)
        .eventually(() -> vertx.undeploy(crawlerDeployment))
        .eventually(store::close)
        .onComplete(undeployed -> vertx.close().onComplete(closed ->
            stopped.handle(undeployed.failed() ? undeployed : closed)));
    return stopped.future();
  }

  public int helloPort() {
    return helloInstances.get(0).actualPort();
  }

  public CounterRegistry counters() {
    return registry;
  }

  /** The node's flood protection: limits in force, kernel checks (with warnings), open connections. */
  public Protection protection() {
    return protection;
  }
}
