package dev.hellonet.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One conn-mode slot: connect, send one request, read one reply line, close, and start over until the run is done.
 * Latency is connect-to-reply, since the connection is what this mode measures.
 */
final class ConnectionSlot {
  private static final long RETRY_MILLIS = 10;

  private final LoopStats stats;
  private final Bootstrap bootstrap;
  private final SocketAddress remote;
  private final Protocol protocol;
  /** Never released: one shared copy whose duplicates are written on every connection. */
  private final ByteBuf request;

  ConnectionSlot(LoopStats stats, Bootstrap bootstrap, SocketAddress remote, Protocol protocol, byte[] request) {
    this.stats = stats;
    this.bootstrap = bootstrap;
    this.remote = remote;
    this.protocol = protocol;
    this.request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(request.length).writeBytes(request));
  }

  /** Opens the next connection, unless the run is over. */
  void next() {
    if (stats.done()) {
      return;
    }
    OneRequest handler = new OneRequest(System.nanoTime());
    ChannelFuture connect = bootstrap.clone().handler(handler).connect(remote);
    connect.addListener(f -> {
      if (!f.isSuccess() && !stats.done()) {
        stats.connectError(f.cause());
        stats.loop.schedule(this::next, RETRY_MILLIS, TimeUnit.MILLISECONDS);
      }
    });
  }

  /** The handler of one connection of this slot. */
  private final class OneRequest extends ChannelInboundHandlerAdapter implements ReplySink {
    private final long startedAt;
    private final ReplyParser parser = protocol.newParser(this);
    private ChannelHandlerContext ctx;
    private boolean finished;
    private long readAt;

    OneRequest(long startedAt) {
      this.startedAt = startedAt;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (stats.done()) {
        finished = true;
        ctx.close();
        return;
      }
      stats.channels.add(ctx.channel());
      if (request.isReadable()) {
        stats.requests++;
        ctx.writeAndFlush(request.duplicate(), ctx.voidPromise());
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        // Parsed after the one reply too: a second reply in the same read is a request answered twice.
        readAt = System.nanoTime();
        in.forEachByte(parser);
      } finally {
        in.release();
      }
    }

    @Override
    public void onReply(long number) {
      if (finished) {
        stats.unrequested();
        return;
      }
      stats.reply(number, readAt - startedAt);
      finish();
    }

    @Override
    public void onMalformed() {
      if (finished) {
        stats.unrequested();
        return;
      }
      stats.malformed();
      finish();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!finished && !stats.done()) {
        stats.closedEarly(parser.midLine() ? "connection closed in the middle of a reply line"
            : "connection closed before any reply");
        finish();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A server that closes right after writing (nginx's return) may reset once the reply was read: not an error.
      if (!finished && !stats.done()) {
        stats.ioError(cause);
        finish();
      } else {
        ctx.close();
      }
    }

    private void finish() {
      finished = true;
      ctx.close();
      next();
    }
  }
}
