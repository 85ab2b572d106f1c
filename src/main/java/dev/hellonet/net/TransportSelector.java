package dev.hellonet.net;

import io.vertx.core.transport.Transport;

import java.util.logging.Logger;

/** Picks the Netty transport: the native one where it loads, NIO with a warning where it does not. */
public final class TransportSelector {
  private static final Logger LOG = Logger.getLogger(TransportSelector.class.getName());

  private TransportSelector() {}

  /** The transport {@code choice} asks for; fails when {@code epoll} is asked for and cannot load. */
  public static Transport select(TransportChoice choice) {
    if (choice == TransportChoice.NIO) {
      LOG.info("transport: nio (configured)");
      return Transport.NIO;
    }
    Transport epoll = Transport.EPOLL;
    if (epoll != null && epoll.available()) {
      LOG.info("transport: epoll (native)");
      return epoll;
    }
    Throwable why = epoll == null ? null : epoll.unavailabilityCause();
    String reason = why == null ? "the netty-transport-native-epoll classes are not on the class path" : why.toString();
    if (choice == TransportChoice.EPOLL) {
      throw new IllegalStateException("transport epoll was configured but is not available: " + reason);
    }
    LOG.warning("transport: nio, because native epoll is not available here (" + reason + "); expect lower throughput");
    return Transport.NIO;
  }
}
