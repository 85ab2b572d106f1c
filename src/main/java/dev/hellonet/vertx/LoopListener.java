package dev.hellonet.vertx;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.spi.metrics.TCPMetrics;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * A listening socket of one event loop's own, the nginx model inside one JVM: bound with {@code SO_REUSEPORT} beside
 * its siblings on the other event loops, it accepts on the loop that then serves the connection, so no connection is
 * handed from an acceptor thread to an event loop. Connections arrive as ordinary {@link NetSocket}s.
 *
 * <p>Made and used on the event loop of the verticle that owns it. Needs the native transport: the kernel spreads
 * new connections over the sockets of one port only when each was bound with {@code SO_REUSEPORT}.
 */
public final class LoopListener {
  private final Vertx vertx;
  private final Context context;
  private final EventLoop loop;
  private final NetServerOptions options;
  private final Handler<NetSocket> handler;
  /** The open connections, so that a shutdown can reach each; a channel leaves the group when it closes. */
  private final ChannelGroup connections;
  private Channel listening;
  /** Set once bound, before the first connection can arrive; read on this listener's event loop only. */
  private TCPMetrics<?> metrics;
  private int actualPort;

  /** {@code options} are a {@code NetServer}'s; their port is ignored in favour of the one given to listen. */
  public LoopListener(Vertx vertx, Context context, NetServerOptions options, Handler<NetSocket> handler) {
    this.vertx = vertx;
    this.context = context;
    this.loop = VertxInternals.eventLoop(context);
    this.options = options.copy().setReusePort(true);
    this.handler = handler;
    this.connections = new DefaultChannelGroup(loop);
  }

  /** Binds {@code host:port} (0 for any free port) on this listener's event loop; the future gives the bound port. */
  public Future<Integer> listen(String host, int port) {
    ChannelFuture bind = bootstrap(options, ch -> {
      connections.add(ch);
      VertxInternals.adopt(context, ch, metrics, handler);
    }).bind(host, port);
    Promise<Integer> bound = Promise.promise();
    bind.addListener(f -> {
      if (f.isSuccess()) {
        listening = bind.channel();
        actualPort = ((InetSocketAddress) listening.localAddress()).getPort();
        metrics = VertxInternals.netServerMetrics(vertx, options, host, actualPort);
        bound.complete(actualPort);
      } else {
        bound.fail(f.cause());
      }
    });
    return bound.future();
  }

  /**
   * Fails as a plain bind would if anything already listens on {@code host:port}, and binds nothing: sockets with
   * {@code SO_REUSEPORT} join each other silently, so without this a second node started on the same port by mistake
   * would take a share of the first one's connections instead of failing to start.
   */
  public Future<Void> checkFree(String host, int port) {
    // The probe listens for an instant; whatever it accepts meanwhile is refused.
    ChannelFuture bind = bootstrap(options.copy().setReusePort(false), Channel::close).bind(host, port);
    Promise<Void> free = Promise.promise();
    bind.addListener(f -> {
      if (f.isSuccess()) {
        bind.channel().close().addListener(closed -> free.complete());
      } else {
        free.fail(f.cause());
      }
    });
    return free.future();
  }

  /** A server bootstrap on this listener's loop, set up as Vert.x would with {@code serverOptions}. */
  private ServerBootstrap bootstrap(NetServerOptions serverOptions, Consumer<Channel> onAccepted) {
    ServerBootstrap bootstrap = new ServerBootstrap().group(loop, loop);
    VertxInternals.configureServer(vertx, serverOptions, bootstrap);
    return bootstrap.childHandler(new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        onAccepted.accept(ch);
      }
    });
  }

  /** The port bound, or 0 before {@link #listen} succeeded. */
  public int actualPort() {
    return actualPort;
  }

  /**
   * Stops accepting, tells every open connection the server is shutting down (as a {@code NetServer} does), and
   * completes once they have all closed; those still open after {@code timeoutMs} are closed by Vert.x.
   */
  public Future<Void> shutdown(long timeoutMs) {
    Promise<Void> done = Promise.promise();
    Runnable drain = () -> {
      for (Channel ch : connections) {
        VertxInternals.shutdown(ch, timeoutMs);
      }
      connections.newCloseFuture().addListener(f -> {
        if (metrics != null) {
          metrics.close();
        }
        done.tryComplete();
      });
    };
    if (listening == null) {
      loop.execute(drain);
    } else {
      listening.close().addListener(f -> drain.run());
    }
    return done.future();
  }
}
