package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.ApiConfig;
import dev.hellonet.config.HellonetConfig.HttpConfig;
import dev.hellonet.net.ListenFailure;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The HTTP API: REST for crawls, counters and status, health probes, Prometheus metrics and the OpenAPI document.
 * Routes come from {@code hellonet/openapi.yaml}, which also validates every request; the verticle reaches the other
 * roles only over the event bus. Every failure is answered as {@code {"error", "message", "details"}}.
 */
public final class HttpApiVerticle extends VerticleBase {
  /** The contract, on the class path and served at {@code /openapi.yaml}. */
  public static final String CONTRACT = "hellonet/openapi.yaml";
  /** How long an endpoint waits for the role it asks. */
  private static final long BUS_TIMEOUT_MS = 10_000;
  /** A connection silent this long is closed, so a client that stops mid-request does not hold it for ever. */
  private static final int IDLE_TIMEOUT_S = 60;

  private final HttpConfig http;
  private final ApiConfig api;
  private final PrometheusMeterRegistry meters;
  private final long shutdownTimeoutMs;
  private final Contract contract;
  private final boolean reusePort;
  private final AllowedMethods allowed;
  private final ContractFields fields;
  /** Created in {@link #start()}, which is the first moment this verticle has a Vert.x to create it with. */
  private HttpServer server;

  /** The parsed contract and its text, as served. */
  public record Contract(OpenAPIContract parsed, Buffer document) {}

  public HttpApiVerticle(HttpConfig http, ApiConfig api, PrometheusMeterRegistry meters, long shutdownTimeoutMs,
                         Contract contract) {
    this(http, api, meters, shutdownTimeoutMs, contract, false);
  }

  /**
   * With {@code reusePort} the port is bound with {@code SO_REUSEPORT}, shared with the sibling worker processes of a
   * supervisor (instances in one process share it anyway, as Vert.x does).
   */
  public HttpApiVerticle(HttpConfig http, ApiConfig api, PrometheusMeterRegistry meters, long shutdownTimeoutMs,
                         Contract contract, boolean reusePort) {
    this.reusePort = reusePort;
    this.http = http;
    this.api = api;
    this.meters = meters;
    this.shutdownTimeoutMs = shutdownTimeoutMs;
    this.contract = contract;
    this.allowed = AllowedMethods.of(contract.parsed());
    this.fields = new ContractFields(contract.parsed());
  }

  /**
   * Reads and parses {@link #CONTRACT}. It takes the better part of a second, so the node does it before anything
   * listens: once the hello server accepts connections, the rest of the start is quick.
   */
  public static Future<Contract> loadContract(Vertx vertx) {
    return vertx.fileSystem().readFile(CONTRACT)
        .compose(document -> OpenAPIContract.from(vertx, CONTRACT).map(parsed -> new Contract(parsed, document)));
  }

  /** Builds the router from the contract, then listens; the steps are named below. */
  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(serverOptions())
        .requestHandler(router())
        .invalidRequestHandler(HttpApiVerticle::invalidRequest);
    return ListenFailure.named(server.listen(), "http.port", "HTTP", http.host(), http.port());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(shutdownTimeoutMs, TimeUnit.MILLISECONDS);
  }

  /** The port actually bound, which differs from the configured one when that was 0. */
  public int actualPort() {
    return server.actualPort();
  }

  private HttpServerOptions serverOptions() {
    return new HttpServerOptions().setHost(http.host()).setPort(http.port()).setReusePort(reusePort)
        .setIdleTimeout(IDLE_TIMEOUT_S);
  }

  /** The contract's operations, then what the contract does not describe, then the error handlers. */
  private Router router() {
    BusClient bus = new BusClient(vertx, BUS_TIMEOUT_MS);
    RouterBuilder builder = RouterBuilder.create(vertx, contract.parsed(), new JsonBodyExtractor());
    addRootHandlers(builder);
    addOperations(builder, bus);
    Router router = builder.createRouter();
    addUndescribedRoutes(router);
    addErrorHandlers(router);
    return router;
  }

  private void addRootHandlers(RouterBuilder builder) {
    ProtectedMode protectedMode = ProtectedMode.forConfig(http, api);
    if (protectedMode != null) {
      builder.rootHandler(protectedMode);
    }
    if (api.authEnabled()) {
      // Before the body is read: an unauthenticated client does not get to upload anything.
      builder.rootHandler(new BearerTokenCheck(api.token(), api.readToken()));
    }
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(api.maxBodyBytes()));
  }

  private void addOperations(RouterBuilder builder, BusClient bus) {
    CrawlHandlers crawls = new CrawlHandlers(bus);
    route(builder, "startCrawl", crawls::start);
    route(builder, "listCrawls", crawls::list);
    route(builder, "getCrawl", crawls::get);
    route(builder, "cancelCrawl", crawls::cancel);
    route(builder, "getCounters", rc -> JsonReplies.reply(rc, bus.request(Addresses.CLUSTER_COUNTERS, null), 200));
    route(builder, "getStatus", rc -> JsonReplies.reply(rc, bus.request(Addresses.NODE_STATUS, null)
        .map(status -> anonymous(rc) ? StatusView.forAnonymous(status) : status), 200));
    route(builder, "live", HealthCheckHandler.createWithHealthChecks(HealthProbes.liveness(vertx, bus))::handle);
    route(builder, "ready", HealthCheckHandler.createWithHealthChecks(HealthProbes.readiness(vertx, bus,
        !api.authEnabled()))::handle);
    route(builder, "metrics", rc -> metrics(rc, bus));
  }

  /** A caller without a token on a node that has one: it sees no details of the node. */
  private boolean anonymous(RoutingContext rc) {
    return api.authEnabled() && rc.get(BearerTokenCheck.ACCESS) == BearerTokenCheck.Access.NONE;
  }

  private void addUndescribedRoutes(Router router) {
    DashboardRoutes.mount(router);
    // Not an operation of the contract: vertx-openapi has no YAML media type to describe it with.
    router.get("/openapi.yaml").handler(rc -> rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml")
        .end(contract.document()));
  }

  private void addErrorHandlers(Router router) {
    router.route().last().failureHandler(this::fail);
    for (int status : List.of(400, 401, 404, 405, 413, 414, 415, 431, 500, 503)) {
      router.errorHandler(status, this::fail);
    }
  }

  private static void route(RouterBuilder builder, String operationId, Consumer<RoutingContext> handler) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) {
      throw new IllegalStateException(CONTRACT + " has no operation " + operationId);
    }
    // The bearer token is checked by our own root handler (constant-time, and only when a token is configured).
    route.setDoSecurity(false).addHandler(handler::accept);
  }

  private void metrics(RoutingContext rc, BusClient bus) {
    bus.request(Addresses.COUNTERS_GET, null).onComplete(ar -> {
      String own = ar.succeeded() ? PrometheusCounters.render(ar.result())
          : "# hellonet counters unavailable: " + String.valueOf(ar.cause().getMessage()).replace('\n', ' ') + "\n";
      rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
          .end(meters.scrape() + own);
    });
  }

  /**
   * A request HTTP itself could not parse (line or headers too long, a broken header) never reaches the router; it
   * gets the same status Vert.x would give, with the API's JSON error, and the connection is closed.
   */
  private static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof TooLongHttpLineException ? 414
        : cause instanceof TooLongHttpHeaderException ? 431 : 400;
    ApiError error = status == 400
        ? new ApiError(400, "bad_request", "the request is not valid HTTP: " + (cause == null ? "unparsable"
            : cause.getMessage()))
        : ErrorMapper.fromStatus(status, null);
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(error.toJson().toBuffer())
        .onComplete(ignored -> request.connection().close());
  }

  private void fail(RoutingContext rc) {
    if (rc.response().ended()) {
      return;
    }
    ApiError error = ErrorMapper.map(rc.failure(), rc.statusCode(),
        location -> fields.besides(rc.request().method(), rc.request().path(), location));
    if (error.status() == 413) {
      error = ErrorMapper.bodyTooLarge(api.maxBodyBytes());
    }
    JsonObject body = error.toJson();
    if (error.status() == 405) {
      rc.response().putHeader(HttpHeaders.ALLOW, allowed.forPath(rc.request().path()));
    }
    rc.response().setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
  }
}
