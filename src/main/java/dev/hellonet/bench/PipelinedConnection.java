package dev.hellonet.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One pipe-mode connection: sends {@code depth} requests, then one more for every reply, so {@code depth} stay in
 * flight. Replies of one read batch are answered with one buffer and one flush. Send times wait in a ring of
 * {@code depth} longs; replies arrive in request order, so the oldest entry always belongs to the next reply.
 */
final class PipelinedConnection extends ChannelInboundHandlerAdapter implements ReplySink {
  private final LoopStats stats;
  private final Runnable reconnect;
  private final ReplyParser parser;
  /** {@code depth} requests back to back: any batch of up to {@code depth} is a prefix of it. */
  private final byte[] requests;
  private final int requestLength;
  private final long[] sentAt;

  private int head;
  private int inFlight;
  private int owed;
  private long readAt;

  PipelinedConnection(LoopStats stats, Protocol protocol, byte[] request, int depth, Runnable reconnect) {
    this.stats = stats;
    this.reconnect = reconnect;
    this.parser = protocol.newParser(this);
    this.requestLength = request.length;
    this.requests = new byte[request.length * depth];
    for (int i = 0; i < depth; i++) {
      System.arraycopy(request, 0, requests, i * request.length, request.length);
    }
    this.sentAt = new long[depth];
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (stats.done()) {
      ctx.close();
      return;
    }
    stats.channels.add(ctx.channel());
    stats.pipes.add(this);
    owed = sentAt.length;
    send(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      readAt = System.nanoTime();
      in.forEachByte(parser);
    } finally {
      in.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (owed > 0 && !stats.done()) {
      send(ctx);
    }
  }

  @Override
  public void onReply(long number) {
    if (inFlight == 0) {
      stats.unrequested();
      return;
    }
    stats.reply(number, readAt - takeOldest());
  }

  @Override
  public void onMalformed() {
    if (inFlight == 0) {
      stats.unrequested();
      return;
    }
    takeOldest();
    stats.malformed();
  }

  /** Requests sent and not answered yet. */
  int inFlight() {
    return inFlight;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (stats.pipes.remove(this) && stats.done()) {
      // Closed by the server during the end-of-run drain: what it still owed will never come.
      stats.unanswered += inFlight;
      inFlight = 0;
    }
    if (!stats.done()) {
      stats.closedEarly("server closed a pipelined connection with " + inFlight + " replies outstanding");
      reconnect.run();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!stats.done()) {
      stats.ioError(cause);
    }
    ctx.close();
  }

  /** The send time of the oldest request in flight, which the reply just read answers; frees a slot to send again. */
  private long takeOldest() {
    long t = sentAt[head];
    head = head + 1 == sentAt.length ? 0 : head + 1;
    inFlight--;
    owed++;
    return t;
  }

  private void send(ChannelHandlerContext ctx) {
    int n = owed;
    ByteBuf out = ctx.alloc().directBuffer(n * requestLength);
    out.writeBytes(requests, 0, n * requestLength);
    long now = System.nanoTime();
    int tail = head + inFlight;
    for (int i = 0; i < n; i++, tail++) {
      sentAt[tail >= sentAt.length ? tail - sentAt.length : tail] = now;
    }
    inFlight += n;
    stats.requests += n;
    owed = 0;
    ctx.writeAndFlush(out, ctx.voidPromise());
  }
}
