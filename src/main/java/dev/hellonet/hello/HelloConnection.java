package dev.hellonet.hello;

import dev.hellonet.sequence.NumberSupply;
import dev.hellonet.vertx.RawSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The protocol on one connection: every {@code \n}-terminated request gets one {@code Hello World<N>\n}.
 *
 * <p>Requests are never stored, only counted: the bytes are scanned for newlines and released at once, and what is
 * owed is a number. So a connection costs the same memory whatever a client sends. Replies for one read go into one
 * buffer, and Vert.x flushes writes made during a read once, when the read completes. When the client stops reading
 * (the write queue is full) or the numbers run out, the connection stops reading from its socket, which pushes back
 * on the client through TCP, and picks up where it left off when the queue drains or numbers arrive.
 *
 * <p>All methods run on the connection's event loop.
 */
final class HelloConnection {
  private static final ByteBuf TOO_LONG = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
      "ERR request too long\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();
  private static final String UNAVAILABLE_LINE = "ERR unavailable\n";
  private static final int UNAVAILABLE_BATCH = 256;
  /** {@value #UNAVAILABLE_BATCH} times {@code ERR unavailable}, for requests that cannot be numbered in an outage. */
  private static final ByteBuf UNAVAILABLE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
      UNAVAILABLE_LINE.repeat(UNAVAILABLE_BATCH).getBytes(StandardCharsets.US_ASCII))).asReadOnly();
  /** How long a closing connection waits for the client to close after the server's last reply. */
  static final long LINGER_MS = 2_000;

  private final NetSocket socket;
  private final RawSocket raw;
  private final ChannelHandlerContext ctx;
  private final NumberSupply supply;
  private final ReplyEncoder encoder;
  private final HelloCounters counters;
  private final int maxRequestBytes;

  /** Requests read but not yet answered. */
  private long owed;
  /** Bytes of the current request seen so far without its newline. */
  private long partial;
  private boolean reading = true;
  /** A pump is running further up this thread's stack; see {@link #pump()}. */
  private boolean pumping;
  /** {@link #pump()} was called while it ran. */
  private boolean pumpAgain;
  private boolean waitingForNumbers;
  private boolean inputEnded;
  private boolean tooLong;
  private boolean shuttingDown;
  /** close() was called; replies already written still go out. */
  private boolean closing;
  private boolean closed;

  HelloConnection(RawSocket raw, NumberSupply supply, ReplyEncoder encoder, HelloCounters counters,
                  int maxRequestBytes) {
    this.raw = raw;
    this.socket = raw.socket();
    this.ctx = raw.context();
    this.supply = supply;
    this.encoder = encoder;
    this.counters = counters;
    this.maxRequestBytes = maxRequestBytes;
  }

  void start() {
    counters.accepted.add(1);
    // Without half-closure Netty closes the channel on the client's FIN, and a last request without a newline could
    // not be answered.
    ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    ctx.pipeline().addBefore("handler", "hellonet-channel-events", new ChannelListener());
    raw.onMessage(this::onMessage);
    socket.drainHandler(v -> pump());
    socket.shutdownHandler(v -> onShutdown());
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> { /* resets and broken pipes end in closeHandler; nothing else to do */ });
  }

  private void onMessage(Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (!tooLong && !closing && !closed) {
        scan(buf);
      }
    } finally {
      buf.release();
    }
    pump();
  }

  /** Counts the complete requests in {@code buf} and remembers how far into the next one it ends. */
  private void scan(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    long found = 0;
    while (i < end) {
      int lf = buf.indexOf(i, end, (byte) '\n');
      if (lf < 0) {
        partial += end - i;
        if (partial > maxRequestBytes) {
          tooLong = true;
        }
        break;
      }
      if (partial + (lf - i + 1) > maxRequestBytes) {
        tooLong = true;
        break;
      }
      found++;
      partial = 0;
      i = lf + 1;
    }
    owed += found;
    counters.requests.add(found);
    if (tooLong) {
      counters.badRequests.add(1);
    }
  }

  /**
   * Answers what is owed as far as the write queue and the numbers allow, then decides what comes next.
   *
   * <p>Never re-entered: a write outside a read is flushed at once, and a flush that takes the channel over its high
   * water mark and back under its low one fires the writability listener, which calls this method again from inside
   * the write. A nested run would answer requests the outer run is answering (over a real network: one encoder batch
   * of replies too many, again and again). The outer run re-reads writability, what is owed and the state after every
   * write, so a nested call only marks that something happened, and the outer run looks once more before it returns.
   */
  private void pump() {
    if (closing) {
      return;
    }
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        answerOwed();
      } while (pumpAgain && !closing);
    } finally {
      pumping = false;
    }
  }

  /** One run of {@link #pump()}: writes replies until nothing is owed or the socket or the numbers say wait. */
  private void answerOwed() {
    while (owed > 0 && !closed) {
      // Only while Netty takes writes: anything written past that waits in Vert.x's own queue, whose buffers Vert.x
      // 5.0.10 never releases if the connection then closes (up to ~1.3 MiB per client that stops reading). The
      // writability listener below calls pump again.
      if (!ctx.channel().isWritable() || socket.writeQueueFull()) {
        stopReading();
        return;
      }
      int n = supply.available((int) Math.min(owed, encoder.maxReplies()));
      if (n == 0) {
        if (supply.exhausted()) {
          answerUnavailable();
          continue;
        }
        stopReading();
        if (!waitingForNumbers) {
          waitingForNumbers = true;
          supply.whenAvailable(this::numbersArrived);
        }
        return;
      }
      // Taken off what is owed before the write, so that no path through the write sees them as still owed.
      owed -= n;
      counters.replies.add(n);
      raw.write(encoder.encode(ctx.alloc(), supply.take(n), n));
    }
    if (closed) {
      return;
    }
    if (tooLong) {
      stopReading();
      raw.write(TOO_LONG.duplicate());
      close();
    } else if (inputEnded || shuttingDown) {
      close();
    } else {
      startReading();
    }
  }

  /**
   * The store is down and no numbers are held: answer owed requests {@code ERR unavailable} now rather than hold the
   * client until the store returns. Out of {@link #answerOwed()} so that the hot loop stays small enough to inline.
   */
  private void answerUnavailable() {
    int e = (int) Math.min(owed, UNAVAILABLE_BATCH);
    owed -= e;
    counters.unavailable.add(e);
    raw.write(UNAVAILABLE.slice(0, e * UNAVAILABLE_LINE.length()));
  }

  /**
   * Closes without losing replies. Closing a socket that still has unread input makes the kernel send a reset, which
   * can destroy replies the client has not read yet; so when input has not ended, send FIN after the last reply and
   * discard input until the client closes, or {@link #LINGER_MS} passes.
   */
  private void close() {
    closing = true;
    if (inputEnded || !(ctx.channel() instanceof DuplexChannel duplex)) {
      socket.close(); // flushes what was written first
      return;
    }
    ctx.executor().schedule(() -> {
      socket.close();
    }, LINGER_MS, TimeUnit.MILLISECONDS);
    raw.write(Unpooled.EMPTY_BUFFER).onSuccess(v -> duplex.shutdownOutput());
    startReading();
  }

  private void numbersArrived() {
    waitingForNumbers = false;
    pump();
  }

  /** The client half-closed: bytes after the last newline count as one last request. */
  private void onInputEnded() {
    inputEnded = true;
    if (closing) {
      socket.close();
      return;
    }
    if (partial > 0 && !tooLong) {
      partial = 0;
      owed++;
      counters.requests.add(1);
    }
    pump();
  }

  /** The server is shutting down: take no more requests, answer those already read, then close. */
  private void onShutdown() {
    shuttingDown = true;
    stopReading();
    if (!waitingForNumbers) {
      pump();
    }
  }

  private void onClosed() {
    closed = true;
    counters.closed.add(1);
  }

  private void stopReading() {
    if (reading) {
      reading = false;
      ctx.channel().config().setAutoRead(false);
    }
  }

  private void startReading() {
    if (!reading) {
      reading = true;
      ctx.channel().config().setAutoRead(true);
    }
  }

  /**
   * Sees the client's half-close and the channel becoming writable again in the pipeline. Vert.x's own event handler
   * must stay in place because it carries the server's graceful-shutdown event, so this listens beside it instead of
   * replacing it.
   */
  private final class ChannelListener extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext handlerCtx, Object evt) throws Exception {
      if (evt instanceof ChannelInputShutdownEvent) {
        onInputEnded();
      }
      super.userEventTriggered(handlerCtx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext handlerCtx) throws Exception {
      super.channelWritabilityChanged(handlerCtx); // Vert.x first, so that its view of writability is current
      if (handlerCtx.channel().isWritable() && !closed) {
        pump();
      }
    }
  }
}
