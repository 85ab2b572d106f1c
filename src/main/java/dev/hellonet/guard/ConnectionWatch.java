package dev.hellonet.guard;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.channels.ClosedChannelException;

import java.util.concurrent.TimeUnit;

/**
 * Closes one connection that abuses the server's patience: no complete request within the first-request timeout
 * (slowloris, however it trickles), no complete request and no reply progress for the idle timeout, or a client that
 * does not read its replies (the channel stays unwritable) for the slow-reader timeout. Sits in the channel pipeline
 * ahead of Vert.x's handler and only watches: it never holds data back.
 *
 * <p>Cost per read batch: a backward search for the batch's last newline (normally its last byte, so one comparison)
 * and, only when one is found, a clock read. One timer per connection, armed for the nearest deadline and re-armed
 * when it fires early rather than on every event. All methods run on the connection's event loop.
 */
final class ConnectionWatch extends ChannelDuplexHandler {
  private static final ClosedChannelException CLOSED = new ClosedChannelException();

  private final AbuseCounters counters;
  private final long firstRequestNanos;
  private final long idleNanos;
  private final long slowReaderNanos;
  private final long acceptedAt;

  private ChannelHandlerContext ctx;
  private boolean requestSeen;
  /** When the last complete request arrived, or the client last made room for replies. */
  private long lastProgressAt;
  private boolean unwritable;
  private long unwritableSince;
  private ScheduledFuture<?> timer;
  private long timerAt;
  private boolean finished;

  ConnectionWatch(AbuseCounters counters, long firstRequestMs, long idleMs, long slowReaderMs, long acceptedAt) {
    this.counters = counters;
    this.firstRequestNanos = TimeUnit.MILLISECONDS.toNanos(firstRequestMs);
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMs);
    this.slowReaderNanos = TimeUnit.MILLISECONDS.toNanos(slowReaderMs);
    this.acceptedAt = acceptedAt;
    this.lastProgressAt = acceptedAt; // idleness counts from acceptance, also when the first-request timeout is off
  }

  @Override
  public void handlerAdded(ChannelHandlerContext handlerCtx) {
    this.ctx = handlerCtx;
    if (!handlerCtx.channel().isWritable()) {
      unwritable = true;
      unwritableSince = acceptedAt;
    }
    arm(System.nanoTime());
  }

  @Override
  public void channelRead(ChannelHandlerContext handlerCtx, Object msg) {
    if (msg instanceof ByteBuf buf && buf.isReadable()
        && buf.indexOf(buf.writerIndex(), buf.readerIndex(), (byte) '\n') >= 0) {
      lastProgressAt = System.nanoTime();
      if (!requestSeen) {
        requestSeen = true;
        arm(lastProgressAt); // from the first-request deadline to the idle one, which may come sooner
      }
    }
    handlerCtx.fireChannelRead(msg);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext handlerCtx) {
    boolean writable = handlerCtx.channel().isWritable();
    if (!writable && !unwritable) {
      unwritable = true;
      unwritableSince = System.nanoTime();
      if (slowReaderNanos > 0 && unwritableSince + slowReaderNanos - timerAt < 0) {
        arm(unwritableSince);
      }
    } else if (writable && unwritable) {
      unwritable = false;
      lastProgressAt = System.nanoTime(); // the client read enough to make room: it is alive
    }
    handlerCtx.fireChannelWritabilityChanged();
  }

  /** Passes writes on, except after an abuse close, when they are released on the spot (see {@link #close}). */
  @Override
  public void write(ChannelHandlerContext handlerCtx, Object msg, ChannelPromise promise) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      promise.tryFailure(CLOSED);
      return;
    }
    handlerCtx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext handlerCtx) {
    finished = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    handlerCtx.fireChannelInactive();
  }

  private void check() {
    timer = null;
    if (finished) {
      return;
    }
    long now = System.nanoTime();
    if (unwritable && slowReaderNanos > 0 && now - unwritableSince >= slowReaderNanos) {
      close(Reason.SLOW_READER);
    } else if (!requestSeen && firstRequestNanos > 0 && now - acceptedAt >= firstRequestNanos) {
      close(Reason.FIRST_REQUEST_TIMEOUT);
    } else if (!unwritable && idleNanos > 0 && now - lastProgressAt >= idleNanos) {
      close(Reason.IDLE_TIMEOUT);
    } else {
      arm(now);
    }
  }

  /** (Re-)arms the one timer for the nearest deadline that applies now, if any. */
  private void arm(long now) {
    long next = Long.MAX_VALUE;
    boolean any = false;
    if (unwritable && slowReaderNanos > 0) {
      next = unwritableSince + slowReaderNanos;
      any = true;
    }
    if (!requestSeen && firstRequestNanos > 0) {
      next = earlier(next, acceptedAt + firstRequestNanos, any);
      any = true;
    }
    if (!unwritable && idleNanos > 0) {
      next = earlier(next, lastProgressAt + idleNanos, any);
      any = true;
    }
    if (!any && unwritable && idleNanos > 0) {
      // Slow-reader checks are off but idleness still applies once the client reads again: look again later.
      next = now + idleNanos;
      any = true;
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (any) {
      timerAt = next;
      timer = ctx.executor().schedule(this::check, Math.max(0, next - now), TimeUnit.NANOSECONDS);
    } else {
      timerAt = now + Long.MAX_VALUE / 2;
    }
  }

  /** The earlier of two nanoTime instants (compared by difference, as nanoTime may wrap). */
  private static long earlier(long current, long candidate, boolean currentSet) {
    return !currentSet || candidate - current < 0 ? candidate : current;
  }

  /**
   * Closes at once and abortively (RST): a client that does not read would otherwise keep the unsent replies in the
   * kernel's buffers for minutes after the close, and one that trickles has no replies worth a graceful close.
   */
  private void close(Reason reason) {
    finished = true;
    counters.count(reason);
    Channel channel = ctx.channel();
    try {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException ignored) {
      // the socket may already be gone; closing is all that matters
    }
    if (!channel.isWritable()) {
      releaseQueuedWrites(channel);
    }
    // Through this handler's context, not the channel: Vert.x's handler (further down the pipeline) would turn a
    // close into "close once the queued replies are written", which for a client that does not read is never.
    ctx.close();
  }

  /**
   * Vert.x keeps the writes made while a channel is unwritable in a queue of its own and, when the channel closes,
   * fails them without releasing their buffers (vertx-core 5.0.10: {@code VertxConnection.writeToChannel}'s
   * {@code cancel} only fails the promise), so closing a client that does not read would leak up to ~1.3 MiB of
   * pooled replies each time. So before closing, make Vert.x hand its queue down the pipeline, where {@link #write}
   * releases every message: lift the high-water mark, and drop one already-flushed message (the close would drop it
   * anyway) so that Netty re-evaluates writability and tells Vert.x, which then drains its queue.
   */
  private static void releaseQueuedWrites(Channel channel) {
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(Integer.MAX_VALUE - 1, Integer.MAX_VALUE));
    ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
    if (outbound != null) {
      outbound.remove();
    }
  }
}
