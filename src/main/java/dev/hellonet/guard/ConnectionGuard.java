package dev.hellonet.guard;

import dev.hellonet.config.HellonetConfig.ProtectionConfig;
import dev.hellonet.vertx.RawSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One hello-server instance's door: asks the node's {@link AdmissionControl} about each new connection, refuses
 * (with {@code ERR busy}) and counts the ones over a limit, and puts a {@link ConnectionWatch} on the ones it lets in.
 * Runs on the instance's event loop.
 */
public final class ConnectionGuard {
  /** Pipeline name of the per-connection watch. */
  public static final String WATCH_HANDLER = "hellonet-watch";
  private static final ByteBuf BUSY = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
      "ERR busy\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();

  private final AdmissionControl admission;
  private final ProtectionConfig config;
  private final AbuseCounters counters;

  public ConnectionGuard(AdmissionControl admission, ProtectionConfig config, AbuseCounters counters) {
    this.admission = admission;
    this.config = config;
    this.counters = counters;
  }

  /**
   * Admits {@code socket} and starts watching it, or refuses it: the refusal is a 9-byte write into an empty send
   * buffer and a close, so it costs no more than the accept did. Returns whether the connection may be served.
   */
  public boolean admit(RawSocket socket) {
    ChannelHandlerContext ctx = socket.context();
    Channel channel = ctx.channel();
    long now = System.nanoTime();
    AdmissionControl.Verdict verdict = admission.admit(
        channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null, now);
    if (!verdict.admitted()) {
      counters.count(verdict.refusal());
      channel.writeAndFlush(BUSY.duplicate()).addListener(ChannelFutureListener.CLOSE);
      return false;
    }
    channel.closeFuture().addListener(closed -> admission.release(verdict));
    ctx.pipeline().addBefore(ctx.name(), WATCH_HANDLER, new ConnectionWatch(counters,
        config.firstRequestTimeoutMs(), config.idleTimeoutMs(), config.slowReaderTimeoutMs(), now));
    return true;
  }

  public AbuseCounters counters() {
    return counters;
  }
}
