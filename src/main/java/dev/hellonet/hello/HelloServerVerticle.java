package dev.hellonet.hello;

import dev.hellonet.config.HellonetConfig.HelloConfig;
import dev.hellonet.config.HellonetConfig.SequenceConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.guard.AbuseCounters;
import dev.hellonet.guard.ConnectionGuard;
import dev.hellonet.guard.Protection;
import dev.hellonet.net.ListenFailure;
import dev.hellonet.net.ListenOptions;
import dev.hellonet.sequence.NumberSupply;
import dev.hellonet.sequence.SequenceStore;
import dev.hellonet.vertx.RawSocket;
import dev.hellonet.vertx.VertxInternals;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;

import java.util.concurrent.TimeUnit;

/**
 * One instance of the numbered Hello World TCP server. Every instance listens on the same port (Vert.x spreads new
 * connections across them) and runs on its own event loop with its own {@link NumberSupply}, so numbers are handed out
 * without any lock shared between instances.
 */
public final class HelloServerVerticle extends VerticleBase {
  /** Counter role under which instances register. */
  public static final String COUNTER_ROLE = "hello";

  private final HelloConfig config;
  private final SequenceConfig sequenceConfig;
  private final SequenceStore store;
  private final CounterRegistry registry;
  private final String name;
  private final long shutdownTimeoutMs;
  private final Protection protection;
  private final boolean reusePort;

  private final HelloCounters counters = new HelloCounters();
  /** Up to 4096 replies (about 128 KiB) per outgoing buffer; shared by this instance's connections, one thread. */
  private final ReplyEncoder encoder = new ReplyEncoder(4096);
  private NumberSupply supply;
  private NetServer server;

  public HelloServerVerticle(HelloConfig config, SequenceConfig sequenceConfig, SequenceStore store,
                             CounterRegistry registry, String name, long shutdownTimeoutMs, Protection protection) {
    this(config, sequenceConfig, store, registry, name, shutdownTimeoutMs, protection, false);
  }

  /**
   * With {@code reusePort} the listening socket is bound with {@code SO_REUSEPORT}: a worker of a supervisor shares
   * the port with its sibling processes, each with a listening socket (and acceptor) of its own.
   */
  public HelloServerVerticle(HelloConfig config, SequenceConfig sequenceConfig, SequenceStore store,
                             CounterRegistry registry, String name, long shutdownTimeoutMs, Protection protection,
                             boolean reusePort) {
    this.config = config;
    this.sequenceConfig = sequenceConfig;
    this.store = store;
    this.registry = registry;
    this.name = name;
    this.shutdownTimeoutMs = shutdownTimeoutMs;
    this.protection = protection;
    this.reusePort = reusePort;
  }

  @Override
  public Future<?> start() {
    supply = new NumberSupply(vertx, store, sequenceConfig.minBlock(), sequenceConfig.maxBlock());
    // Counters are read from other threads; both sources only do opaque reads. They stay registered after a stop so
    // that the final figures remain readable.
    ConnectionGuard guard = protection.guard(new AbuseCounters(counters.badRequests::get));
    registry.register(COUNTER_ROLE, name,
        () -> counters.snapshot().mergeIn(supply.counters()).mergeIn(guard.counters().snapshot()));
    NetServerOptions options = new ListenOptions()
        .setDeferAcceptSeconds(config.deferAcceptSeconds())
        .setAcceptBacklog(protection.acceptBacklog())
        .setHost(config.host())
        // A negative port asks Vert.x for one random port shared by every instance; 0 would give each its own.
        .setPort(config.port() == 0 ? -1 : config.port())
        .setReusePort(reusePort)
        .setTcpNoDelay(true);
    server = vertx.createNetServer(options).connectHandler(so -> {
      RawSocket raw = VertxInternals.raw(so);
      if (!guard.admit(raw)) {
        return; // refused, counted and closed by the guard
      }
      HelloConnection connection = new HelloConnection(raw, supply, encoder, counters,
          config.maxRequestBytes());
      connection.start();
    });
    // Numbers first: the server does not accept a connection it could not answer.
    return supply.start().compose(v -> ListenFailure.named(server.listen(), "hello.port", "TCP", config.host(),
        config.port()));
  }

  @Override
  public Future<?> stop() {
    Future<Void> drained = server == null ? Future.succeededFuture()
        : server.shutdown(shutdownTimeoutMs, TimeUnit.MILLISECONDS);
    return drained.eventually(() -> supply == null ? Future.succeededFuture() : supply.close());
  }

  /** The port actually bound, which differs from the configured one when that was 0. */
  public int actualPort() {
    return server.actualPort();
  }
}
