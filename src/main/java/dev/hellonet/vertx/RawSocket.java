package dev.hellonet.vertx;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * A socket accepted by a Vert.x {@code NetServer}, seen at the Netty level: its channel context and raw Netty
 * messages in and out. Made by {@link VertxInternals#raw}; the public {@link NetSocket} is there for everything else.
 */
public final class RawSocket {
  private final NetSocketInternal internal;

  RawSocket(NetSocket socket) {
    this.internal = (NetSocketInternal) socket;
  }

  /** The public view, for handlers, back-pressure and close. */
  public NetSocket socket() {
    return internal;
  }

  /** The context of Vert.x's handler in the channel's pipeline (named {@code "handler"}). */
  public ChannelHandlerContext context() {
    return internal.channelHandlerContext();
  }

  /** Receives each inbound Netty message (a {@code ByteBuf} for TCP), which the handler must release. */
  public void onMessage(Handler<Object> handler) {
    internal.messageHandler(handler);
  }

  /** Writes a Netty message (a {@code ByteBuf}), which the pipeline releases once written. */
  public Future<Void> write(Object message) {
    return internal.writeMessage(message);
  }
}
