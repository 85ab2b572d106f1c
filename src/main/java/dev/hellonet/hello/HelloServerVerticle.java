package dev.hellonet.hello;

import dev.hellonet.config.HellonetConfig.Acceptor;
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
import dev.hellonet.vertx.LoopListener;
import dev.hellonet.vertx.RawSocket;
import dev.hellonet.vertx.VertxInternals;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.TimeUnit;

/**
 * One instance of the numbered Hello World TCP server. Every instance listens on the same port (Vert.x's acceptor
 * spreads new connections across them, or with {@code hello.acceptor=per-loop} the kernel does) and runs on its own event loop with its own {@link NumberSupply}, so numbers are handed out
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
  private final SharedPort port;

  private final HelloCounters counters = new HelloCounters();
  /** Up to 4096 replies (about 128 KiB) per outgoing buffer; shared by this instance's connections, one thread. */
  private final ReplyEncoder encoder = new ReplyEncoder(4096);
  private NumberSupply supply;
  /** One of the two, as {@code hello.acceptor} says. */
  private NetServer server;
  private LoopListener loopListener;

  /**
   * With {@code reusePort} the listening socket is bound with {@code SO_REUSEPORT}: a worker of a supervisor shares
   * the port with its sibling processes, each with a listening socket (and acceptor) of its own. With
   * {@code hello.acceptor=per-loop} every instance binds a socket of its own on {@code port}, always with
   * {@code SO_REUSEPORT}.
   */
  public HelloServerVerticle(HelloConfig config, SequenceConfig sequenceConfig, SequenceStore store,
                             CounterRegistry registry, String name, long shutdownTimeoutMs, Protection protection,
                             boolean reusePort, SharedPort port) {
    this.config = config;
    this.sequenceConfig = sequenceConfig;
    this.store = store;
    this.registry = registry;
    this.name = name;
    this.shutdownTimeoutMs = shutdownTimeoutMs;
    this.protection = protection;
    this.reusePort = reusePort;
    this.port = port;
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
    Handler<NetSocket> serve = so -> {
      RawSocket raw = VertxInternals.raw(so);
      if (!guard.admit(raw)) {
        return; // refused, counted and closed by the guard
      }
      HelloConnection connection = new HelloConnection(raw, supply, encoder, counters,
          config.maxRequestBytes());
      connection.start();
    };
    // Numbers first: the server does not accept a connection it could not answer.
    return supply.start().compose(v -> ListenFailure.named(listen(options, serve), "hello.port", "TCP",
        config.host(), config.port()));
  }

  private Future<?> listen(NetServerOptions options, Handler<NetSocket> serve) {
    if (config.acceptor() == Acceptor.PER_LOOP) {
      loopListener = new LoopListener(vertx, context, options, serve);
      return port.bind(p -> loopListener.listen(config.host(), p), p -> loopListener.checkFree(config.host(), p));
    }
    server = vertx.createNetServer(options).connectHandler(serve);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    Future<Void> drained = server != null ? server.shutdown(shutdownTimeoutMs, TimeUnit.MILLISECONDS)
        : loopListener != null ? loopListener.shutdown(shutdownTimeoutMs) : Future.succeededFuture();
    return drained.eventually(() -> supply == null ? Future.succeededFuture() : supply.close());
  }

  /** The port actually bound, which differs from the configured one when that was 0. */
  public int actualPort() {
    return server != null ? server.actualPort() : loopListener.actualPort();
  }
}
