package dev.hellonet.net;

import dev.hellonet.vertx.VertxInternals;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;

/**
 * The native epoll transport, plus {@code TCP_DEFER_ACCEPT} on listening sockets created with {@link ListenOptions}.
 * With it the kernel completes the handshake but hands a connection to the server only once its first data arrives,
 * so connections that never send a byte cost the application nothing (no accept, no file descriptor, no timer).
 * Other servers on the same Vert.x instance are configured exactly as by plain epoll.
 */
public final class DeferAcceptTransport implements Transport {
  private final Transport epoll;
  // Spelled out: Vert.x has a public Transport (implemented here) and an SPI Transport of the same simple name.
  private final io.vertx.core.spi.transport.Transport implementation =
      VertxInternals.epollWith((options, domainSocket, bootstrap) -> {
        if (!domainSocket && options instanceof ListenOptions listen) {
          if (listen.getDeferAcceptSeconds() > 0) {
            bootstrap.option(EpollChannelOption.TCP_DEFER_ACCEPT, listen.getDeferAcceptSeconds());
          }
          dropDefaultChildOptions(listen, bootstrap);
        }
      });

  /**
   * Vert.x sets these on every accepted socket even when they ask for what the kernel already does, one setsockopt
   * each; for a client that opens a connection per request that is four system calls of about a dozen. Removing an
   * option from the bootstrap (a null value) leaves the kernel default in place.
   */
  private static void dropDefaultChildOptions(NetServerOptions options, ServerBootstrap bootstrap) {
    if (options.getTcpUserTimeout() == 0) {
      bootstrap.childOption(EpollChannelOption.TCP_USER_TIMEOUT, null);
    }
    if (!options.isTcpQuickAck()) {
      bootstrap.childOption(EpollChannelOption.TCP_QUICKACK, null);
    }
    if (!options.isTcpCork()) {
      bootstrap.childOption(EpollChannelOption.TCP_CORK, null);
    }
    if (!options.isTcpKeepAlive()) {
      bootstrap.childOption(ChannelOption.SO_KEEPALIVE, null);
    }
  }

  private DeferAcceptTransport(Transport epoll) {
    this.epoll = epoll;
  }

  /** Wraps the epoll transport; any other transport (NIO has no TCP_DEFER_ACCEPT) is returned as it is. */
  public static Transport around(Transport transport) {
    return transport != null && transport.available() && "epoll".equals(transport.name())
        ? new DeferAcceptTransport(transport) : transport;
  }

  /** Whether {@code transport} applies TCP_DEFER_ACCEPT. */
  public static boolean appliesDeferAccept(Transport transport) {
    return transport instanceof DeferAcceptTransport;
  }

  @Override
  public String name() {
    return epoll.name();
  }

  @Override
  public boolean available() {
    return epoll.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return epoll.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return implementation;
  }
}
