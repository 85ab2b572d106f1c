package dev.hellonet.vertx;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.impl.buffer.VertxByteBufAllocator;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.ShutdownEvent;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.transport.Transport;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;

import java.util.concurrent.TimeUnit;

/**
 * The one place hellonet reaches into Vert.x internal or impl classes, each use for a reason the public API cannot
 * serve. Checked against {@link #CHECKED_AGAINST}; {@code VertxInternalsTest} exercises every entry and fails on any
 * other Vert.x version, so an upgrade shows at once which of these broke ({@code LoopListenerTest} covers the
 * entries a {@link LoopListener} uses).
 */
public final class VertxInternals {
  /** The Vert.x version these adapters were last checked against. */
  public static final String CHECKED_AGAINST = "5.0.10";

  private VertxInternals() {}

  /**
   * The Netty side of a socket a Vert.x {@code NetServer} accepted: the hello server reads and writes Netty buffers
   * directly (no copy into Vert.x buffers) and the guard needs the channel before the first read.
   */
  public static RawSocket raw(NetSocket socket) {
    return new RawSocket(socket);
  }

  /** Called after the transport has configured a server's bootstrap, to set what Vert.x has no option for. */
  @FunctionalInterface
  public interface ServerSetup {
    void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap);
  }

  /**
   * The native epoll transport with {@code setup} run after its own server configuration: Vert.x exposes neither
   * {@code TCP_DEFER_ACCEPT} nor a way to leave out the child options it always sets.
   */
  public static Transport epollWith(ServerSetup setup) {
    return new EpollTransport() {
      @Override
      public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
        super.configure(options, domainSocket, bootstrap);
        setup.configure(options, domainSocket, bootstrap);
      }
    };
  }

  /** Sees each request just before it is sent, with the HTTP request it became. */
  @FunctionalInterface
  public interface BeforeSend {
    /** Null sends the request; a failure fails the exchange with it instead, and nothing is sent. */
    Throwable check(HttpRequest<?> request, HttpClientRequest clientRequest);
  }

  /**
   * Runs {@code hook} on each request of {@code client} just before it is sent: the crawler needs the connection-level
   * request to reset it on abort (the public API hands it out only later), and must be able to drop a request that
   * was aborted while it waited for a connection.
   */
  public static void beforeSend(WebClient client, BeforeSend hook) {
    ((WebClientInternal) client).addInterceptor(ctx -> {
      if (ctx.phase() == ClientPhase.SEND_REQUEST) {
        Throwable refused = hook.check(ctx.request(), ctx.clientRequest());
        if (refused != null) {
          ctx.fail(refused);
          return;
        }
      }
      ctx.next();
    });
  }

  /**
   * {@code request} with its content type as given: the API normalises the media type's case before validation, and
   * vertx-openapi offers no public way to build a request with a content type of our choosing.
   */
  public static ValidatableRequest withContentType(ValidatableRequest request, String contentType) {
    return new ValidatableRequestImpl(request.getCookies(), request.getHeaders(), request.getPathParameters(),
        request.getQuery(), request.getBody(), contentType);
  }

  /**
   * The cluster manager of a clustered Vert.x, or null: the node's id in the cluster and the list of live members are
   * only on the cluster manager, which the public API does not hand out.
   */
  public static ClusterManager clusterManager(Vertx vertx) {
    return vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
  }

  /**
   * The Netty event loop behind a Vert.x event-loop context: a listener of its own binds there, so that accepting a
   * connection and serving it happen on one thread (a Vert.x {@code NetServer} always accepts on its acceptor thread).
   */
  public static EventLoop eventLoop(Context context) {
    return ((ContextInternal) context).nettyEventLoop();
  }

  /**
   * Sets up {@code bootstrap} exactly as a Vert.x {@code NetServer} with {@code options} would be: the transport's
   * server channel, its options (with hellonet's transport, TCP_DEFER_ACCEPT too) and Vert.x's pooled allocator.
   */
  public static void configureServer(Vertx vertx, NetServerOptions options, ServerBootstrap bootstrap) {
    Transport transport = ((VertxInternal) vertx).transport();
    bootstrap.channelFactory(transport.serverChannelFactory(false));
    bootstrap.childOption(ChannelOption.ALLOCATOR, VertxByteBufAllocator.POOLED_ALLOCATOR);
    transport.configure(options, false, bootstrap);
  }

  /**
   * Makes an accepted {@code channel} a Vert.x {@code NetSocket} on {@code context}, as a {@code NetServer} would
   * (Vert.x's handler, named {@code "handler"}, last in the pipeline, reporting to {@code metrics} when not null),
   * and hands it to {@code handler}.
   */
  public static void adopt(Context context, Channel channel, TCPMetrics<?> metrics, Handler<NetSocket> handler) {
    ContextInternal ctx = (ContextInternal) context;
    VertxHandler<NetSocketImpl> vertxHandler =
        VertxHandler.create(chctx -> new NetSocketImpl(ctx, chctx, null, null, metrics, false));
    vertxHandler.addHandler(socket -> {
      if (metrics != null) {
        socket.metric(metrics.connected(socket.remoteAddress(), socket.remoteName()));
      }
      ctx.emit(socket, handler::handle);
    });
    channel.pipeline().addLast("handler", vertxHandler);
  }

  /**
   * The {@code vertx_net_server_*} metrics of a server with {@code options} bound at {@code host:port}, as a
   * {@code NetServer} creates them; null when the node has no metrics.
   */
  public static TCPMetrics<?> netServerMetrics(Vertx vertx, NetServerOptions options, String host, int port) {
    VertxMetrics metrics = ((VertxInternal) vertx).metrics();
    return metrics == null ? null
        : metrics.createNetServerMetrics(options, io.vertx.core.net.SocketAddress.inetSocketAddress(port, host));
  }

  /**
   * Tells an adopted channel's socket that the server is shutting down, as a {@code NetServer}'s shutdown does: its
   * {@code shutdownHandler} runs, and the channel is closed after {@code timeoutMs} if it is still open.
   */
  public static void shutdown(Channel channel, long timeoutMs) {
    channel.pipeline().fireUserEventTriggered(new ShutdownEvent(timeoutMs, TimeUnit.MILLISECONDS));
  }
}
