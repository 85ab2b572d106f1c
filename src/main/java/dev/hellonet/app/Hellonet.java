package dev.hellonet.app;

import dev.hellonet.api.HttpApiVerticle;
import dev.hellonet.api.HttpApiVerticle.Contract;
import dev.hellonet.bridge.BridgeVerticle;
import dev.hellonet.cluster.ClusterCountersVerticle;
import dev.hellonet.cluster.ClusterPlan;
import dev.hellonet.cluster.ClusterView;
import dev.hellonet.cluster.CrawlRouterVerticle;
import dev.hellonet.cluster.ClusterStack;
import dev.hellonet.cluster.Refusals;
import dev.hellonet.cluster.StoreSharingCheck;
import dev.hellonet.config.ConfigException;
import dev.hellonet.config.HellonetConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.counters.CountersVerticle;
import dev.hellonet.crawl.CrawlerVerticle;
import dev.hellonet.net.DeferAcceptTransport;
import dev.hellonet.net.TransportSelector;
import dev.hellonet.guard.Protection;
import dev.hellonet.hello.HelloServerVerticle;
import dev.hellonet.hello.SharedPort;
import dev.hellonet.sequence.SequenceStore;
import dev.hellonet.sequence.SequenceStores;
import dev.hellonet.supervisor.WorkerIdentity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One running hellonet node: its Vert.x instance, sequence store, counters and deployed verticles, started and stopped
 * as a unit. {@code Main} runs one; tests run as many as they like side by side.
 *
 * <p>{@link #start} and {@link #stop} read as lists of named steps; each step returns what the next one needs. A
 * clustered or supervised start replaces the one step that builds Vert.x ({@link VertxFactory}) and keeps the rest.
 *
 * <p>Results are handed out through promises that belong to no context: Vert.x completes {@code close()} on a thread
 * of its own once the event loops are gone, so a result routed through a future bound to one of those event loops
 * would never arrive.
 */
public final class Hellonet {
  private static final Logger LOG = Logger.getLogger(Hellonet.class.getName());

  /** What every start-up step shares; all of it exists before the first verticle is deployed. */
  private record Parts(HellonetConfig config, Transport transport, Protection protection,
                       PrometheusMeterRegistry meters, Vertx vertx, CounterRegistry registry, NodeLifecycle lifecycle,
                       Instant startedAt, ClusterView cluster, Optional<WorkerIdentity> worker) {
    /** A worker binds its ports with SO_REUSEPORT, beside its sibling processes. */
    boolean reusePort() {
      return worker.isPresent();
    }
  }

  /** The hello server's deployment: its id and its instances, which know the port they bound. */
  private record HelloDeployment(String id, List<HelloServerVerticle> instances) {
    int port() {
      return instances.get(0).actualPort();
    }
  }

  /** The HTTP API's deployment: its id and the verticle, which knows the port it bound. */
  private record HttpDeployment(String id, HttpApiVerticle verticle) {}

  /** The event bus bridge's deployment, when {@code bridge.enabled}: its id and the verticle, which knows its port. */
  private record BridgeDeployment(String id, BridgeVerticle verticle) {}

  /**
   * What {@link #stop} undeploys, in order; the counters and status verticles simply close with Vert.x. {@code bridge}
   * is null when the bridge is off.
   */
  private record Deployments(HttpDeployment http, BridgeDeployment bridge, HelloDeployment hello, String crawler) {}

  private final Vertx vertx;
  private final CounterRegistry registry;
  private final Protection protection;
  private final Transport transport;
  private final HellonetConfig config;
  private final NodeLifecycle lifecycle;
  private final long drainDelayMs;
  private final SequenceStore store;
  private final Deployments deployments;

  private Hellonet(Parts parts, SequenceStore store, Deployments deployments) {
    this.vertx = parts.vertx();
    this.registry = parts.registry();
    this.protection = parts.protection();
    this.transport = parts.transport();
    this.config = parts.config();
    this.lifecycle = parts.lifecycle();
    this.drainDelayMs = parts.config().shutdown().drainDelayMs();
    this.store = store;
    this.deployments = deployments;
  }

  /** The version in the jar's manifest; "development" when running from classes. */
  static String version() {
    String v = Hellonet.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }

  /** Builds the Vert.x instance and deploys everything; fails (and cleans up) if any part cannot start. */
  public static Future<Hellonet> start(HellonetConfig config) {
    return start(config, Optional.empty());
  }

  /**
   * As {@link #start(HellonetConfig)}, as worker {@code worker} of a supervisor when present; clustered (Infinispan
   * over JGroups, with mutual TLS) when {@code cluster.enabled} or the node is a worker (see {@link ClusterPlan}).
   */
  public static Future<Hellonet> start(HellonetConfig config, Optional<WorkerIdentity> worker) {
    Optional<ClusterPlan> plan;
    try {
      plan = ClusterPlan.resolve(config.cluster(), worker);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    return start(config, worker, plan, plan.map(Hellonet::clustered).orElse(VertxFactory.STANDALONE));
  }

  /** As {@link #start(HellonetConfig)}, with Vert.x built by {@code factory}. */
  public static Future<Hellonet> start(HellonetConfig config, VertxFactory factory) {
    return start(config, Optional.empty(), Optional.empty(), factory);
  }

  private static VertxFactory clustered(ClusterPlan plan) {
    return builder -> {
      LOG.info("joining the cluster: member port " + plan.port() + ", " + plan.discovery() + ", mutual TLS on the "
          + "member port and the event bus with the key of certificate " + plan.secret().fingerprint());
      Refusals refusals = new Refusals("member port " + plan.port());
      return builder.withClusterManager(ClusterStack.manager(plan, refusals)).buildClustered();
    };
  }

  private static Future<Hellonet> start(HellonetConfig config, Optional<WorkerIdentity> worker,
                                        Optional<ClusterPlan> plan, VertxFactory factory) {
    Transport transport = DeferAcceptTransport.around(TransportSelector.select(config.transport()));
    if (config.hello().acceptor() == HellonetConfig.Acceptor.PER_LOOP && !"epoll".equals(transport.name())) {
      // Only the native transport binds each listening socket with SO_REUSEPORT.
      return Future.failedFuture(new ConfigException("hello.acceptor: per-loop needs the epoll transport, but this "
          + "node runs " + transport.name() + " (see transport); use hello.acceptor=shared"));
    }
    Protection protection = Protection.create(config, transport);
    Instant startedAt = Instant.now();
    // One registry per node, under a name of its own (see buildVertx): tests run several nodes in one JVM.
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return buildVertx(config, plan, transport, meters, factory)
        .compose(vertx -> deploy(new Parts(config, transport, protection, meters, vertx,
            counterRegistry(protection), new NodeLifecycle(), startedAt, ClusterView.of(vertx), worker)));
  }

  /** Everything after Vert.x exists; on failure, closes what was opened and then Vert.x. */
  private static Future<Hellonet> deploy(Parts parts) {
    Future<Contract> contract = HttpApiVerticle.loadContract(parts.vertx());
    Future<SequenceStore> store = contract.compose(c -> openStore(parts));
    Future<Hellonet> node = store.compose(s -> StoreSharingCheck.check(parts.vertx(), parts.cluster(), s::identity, s.describe())
        .compose(v -> deployRoles(parts, contract.result(), s))
        .recover(e -> s.close().transform(ignored -> Future.failedFuture(e))));
    return handOut(parts, node);
  }

  /** The roles in the order they start: nothing listens for HTTP before the number server is up. */
  private static Future<Hellonet> deployRoles(Parts parts, Contract contract, SequenceStore store) {
    Future<String> counters = deployCounters(parts);
    Future<String> crawler = counters.compose(id -> deployCrawler(parts));
    Future<String> router = crawler.compose(id -> deployCrawlRouter(parts));
    Future<HelloDeployment> hello = router.compose(id -> deployHello(parts, store));
    Future<String> status = hello.compose(h -> deployStatus(parts, store));
    Future<HttpDeployment> http = status.compose(id -> deployHttp(parts, contract));
    Future<BridgeDeployment> bridge = http.compose(h -> deployBridge(parts));
    return bridge.map(b -> new Hellonet(parts, store,
        new Deployments(http.result(), b, hello.result(), crawler.result())));
  }

  /**
   * Vert.x with the node's event loops, transport and metrics. vertx-micrometer keeps registries in a static map by
   * name, so each node's gets a name of its own.
   */
  private static Future<Vertx> buildVertx(HellonetConfig config, Optional<ClusterPlan> plan, Transport transport,
                                          PrometheusMeterRegistry meters, VertxFactory factory) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName("hellonet-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    VertxOptions options = new VertxOptions()
        .setEventLoopPoolSize(Math.max(config.hello().instances(), Runtime.getRuntime().availableProcessors()))
        .setMetricsOptions(metrics);
    plan.ifPresent(p -> options.setEventBusOptions(ClusterStack.eventBus(p)));
    return factory.build(Vertx.builder()
        .with(options)
        .withTransport(transport)
        .withMetrics(new MicrometerMetricsFactory(meters)));
  }


  private static CounterRegistry counterRegistry(Protection protection) {
    CounterRegistry registry = new CounterRegistry(ManagementFactory.getRuntimeMXBean().getName());
    registry.register("protection", "node", protection::counters);
    return registry;
  }

  private static Future<SequenceStore> openStore(Parts parts) {
    return SequenceStores.open(parts.vertx(), parts.config().sequence())
        .onSuccess(store -> parts.registry().register("sequence", store.describe(), store::counters));
  }

  /** This node's counters, and the cluster's sum of every node's (which the API answers with). */
  private static Future<String> deployCounters(Parts parts) {
    return parts.vertx().deployVerticle(new CountersVerticle(parts.registry(),
            parts.config().counters().publishIntervalMs(), parts.cluster().nodeId()))
        .compose(id -> parts.vertx().deployVerticle(new ClusterCountersVerticle(parts.cluster())).map(id));
  }

  /** {@code crawler.instances} crawlers, each answering under its owner name; undeployed as one. */
  private static Future<String> deployCrawler(Parts parts) {
    AtomicInteger index = new AtomicInteger();
    return parts.vertx().deployVerticle(() -> new CrawlerVerticle(parts.config().crawler(), parts.registry(),
            parts.config().events().crawlProgressEveryPages(),
            CrawlRouterVerticle.owner(parts.cluster(), index.getAndIncrement()),
            parts.config().scale().crawlerInstances()),
        new DeploymentOptions().setInstances(parts.config().scale().crawlerInstances()));
  }

  /** The public crawl addresses: a new job to one instance, a job's requests to its owner on whichever node. */
  private static Future<String> deployCrawlRouter(Parts parts) {
    return parts.vertx().deployVerticle(
        new CrawlRouterVerticle(parts.cluster(), parts.config().scale().crawlerInstances(),
            parts.config().crawler().store().inPostgres()));
  }

  /** {@code hello.instances} servers sharing one port; once they listen, the status reports the port. */
  private static Future<HelloDeployment> deployHello(Parts parts, SequenceStore store) {
    HellonetConfig config = parts.config();
    List<HelloServerVerticle> instances = new CopyOnWriteArrayList<>();
    AtomicInteger index = new AtomicInteger();
    SharedPort port = new SharedPort(config.hello().port(), !parts.reusePort());
    return parts.vertx().deployVerticle(() -> {
          HelloServerVerticle v = new HelloServerVerticle(config.hello(), config.sequence(), store, parts.registry(),
              "hello-" + index.getAndIncrement(), config.shutdown().timeoutMs(), parts.protection(),
              parts.reusePort(), port);
          instances.add(v);
          return v;
        }, new DeploymentOptions().setInstances(config.hello().instances()))
        .map(id -> new HelloDeployment(id, List.copyOf(instances)))
        .onSuccess(hello -> parts.lifecycle().helloListening(hello.port()));
  }

  private static Future<String> deployStatus(Parts parts, SequenceStore store) {
    HellonetConfig config = parts.config();
    Map<String, Integer> instances = Map.of("hello", config.hello().instances(),
        "crawler", config.scale().crawlerInstances(), "counters", 1, "http", config.scale().httpInstances());
    return parts.vertx().deployVerticle(new NodeStatusVerticle(version(), parts.startedAt(),
        parts.transport().name(), instances, store, parts.lifecycle(),
        () -> parts.protection().status(), parts.cluster(),
        parts.worker().map(WorkerIdentity::statusFile)));
  }

  private static Future<HttpDeployment> deployHttp(Parts parts, Contract contract) {
    HellonetConfig config = parts.config();
    List<HttpApiVerticle> instances = new CopyOnWriteArrayList<>();
    return parts.vertx().deployVerticle(() -> {
          HttpApiVerticle http = new HttpApiVerticle(config.http(), config.api(), parts.meters(),
              config.shutdown().timeoutMs(), contract, parts.reusePort());
          instances.add(http);
          return http;
        }, new DeploymentOptions().setInstances(config.scale().httpInstances()))
        .map(id -> new HttpDeployment(id, instances.get(0)));
  }

  /** The event bus bridge when {@code bridge.enabled}, else nothing (a null deployment). */
  private static Future<BridgeDeployment> deployBridge(Parts parts) {
    HellonetConfig config = parts.config();
    if (!config.bridge().enabled()) {
      return Future.succeededFuture();
    }
    BridgeVerticle bridge = new BridgeVerticle(config.bridge(), config.api().token(), parts.registry());
    return parts.vertx().deployVerticle(bridge).map(id -> new BridgeDeployment(id, bridge));
  }

  /** Completes a context-free promise: with the node, or with the failure once Vert.x is closed. */
  private static Future<Hellonet> handOut(Parts parts, Future<Hellonet> node) {
    Promise<Hellonet> started = Promise.promise();
    node.onComplete(ar -> {
      if (ar.succeeded()) {
        started.complete(ar.result());
      } else {
        parts.vertx().close().onComplete(closed -> started.fail(ar.cause()));
      }
    });
    return started.future();
  }

  /**
   * What a started node serves, for the "ready" line. The caller logs it: only the caller knows whether a stop was
   * asked for during the start, when announcing "ready" would be false.
   */
  public String summary() {
    return "hello server on " + config.hello().host() + ":" + helloPort() + " with " + config.hello().instances()
        + " instance(s), numbers from " + store.describe() + ", transport " + transport.name() + "; HTTP API on "
        + config.http().host() + ":" + httpPort() + (config.api().authEnabled() ? " (token required for POST and DELETE)"
        : "") + (bridgePort() < 0 ? "" : "; event bus bridge on " + config.bridge().host() + ":" + bridgePort());
  }

  private volatile String stopPhase = "not stopping";

  /**
   * Graceful stop: readiness turns false at once and the node keeps serving for {@code shutdown.drainDelayMs}; then the
   * HTTP API stops (finishing requests in flight), the hello servers stop accepting, answer what they have read and
   * close their connections (cut after {@code shutdown.timeoutMs}), unused numbers are offered back, the crawler
   * stops, the store is closed, then Vert.x.
   */
  public Future<Void> stop() {
    lifecycle.stopAccepting();
    Promise<Void> stopped = Promise.promise();
    phase("draining", this::drain)
        .compose(v -> phase("stopping the HTTP API", this::stopHttp))
        .eventually(() -> phase("stopping the bridge", this::stopBridge))
        .eventually(() -> phase("stopping the hello servers", this::stopHello))
        .eventually(() -> phase("stopping the crawler", this::stopCrawler))
        .eventually(() -> phase("closing the sequence store", store::close))
        .onComplete(undeployed -> phase("closing Vert.x and leaving the cluster", vertx::close).onComplete(closed ->
            stopped.handle(undeployed.failed() ? undeployed : closed)));
    return stopped.future();
  }

  /**
   * Where a graceful stop is, for the message of a stop that runs out of time: without it an operator learns only
   * that the stop hung, not in which part.
   */
  public String stopPhase() {
    return stopPhase;
  }

  private Future<Void> phase(String name, Supplier<Future<Void>> step) {
    stopPhase = name;
    return step.get();
  }

  /** Completes after {@code shutdown.drainDelayMs}, while the node still serves and reports itself not ready. */
  private Future<Void> drain() {
    Promise<Void> drained = Promise.promise();
    if (drainDelayMs > 0) {
      vertx.setTimer(drainDelayMs, id -> drained.complete());
    } else {
      drained.complete();
    }
    return drained.future();
  }

  private Future<Void> stopHttp() {
    return vertx.undeploy(deployments.http().id());
  }

  private Future<Void> stopBridge() {
    return deployments.bridge() == null ? Future.succeededFuture() : vertx.undeploy(deployments.bridge().id());
  }

  private Future<Void> stopHello() {
    lifecycle.helloStopped();
    return vertx.undeploy(deployments.hello().id());
  }

  private Future<Void> stopCrawler() {
    return vertx.undeploy(deployments.crawler());
  }

  public int helloPort() {
    return deployments.hello().port();
  }

  /** The port the HTTP API listens on, which differs from the configured one when that was 0. */
  public int httpPort() {
    return deployments.http().verticle().actualPort();
  }

  /** The event bus bridge's port, or -1 when the bridge is off. */
  public int bridgePort() {
    return deployments.bridge() == null ? -1 : deployments.bridge().verticle().actualPort();
  }

  /** The node's Vert.x instance, for what reaches its shared data or event bus from outside (tests, embedding). */
  public Vertx vertx() {
    return vertx;
  }

  public CounterRegistry counters() {
    return registry;
  }

  /** The Netty transport the node runs on ("epoll", "nio", ...), as the status reports it. */
  public String transport() {
    return transport.name();
  }

  /** The node's flood protection: limits in force, kernel checks (with warnings), open connections. */
  public Protection protection() {
    return protection;
  }
}
