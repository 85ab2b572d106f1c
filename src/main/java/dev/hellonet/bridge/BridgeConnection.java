package dev.hellonet.bridge;

import dev.hellonet.config.HellonetConfig.BridgeConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The guard in front of the stock bridge for one client connection. Inbound, it cuts frames with a bounded length,
 * checks each one ({@link FrameCheck}), answers a refused frame with an {@code err} frame, and closes the connection
 * after {@code bridge.maxBadFrames} bad frames or {@code bridge.maxAuthFailures} token failures. Outbound, it tracks
 * the bytes queued for the client: while {@code bridge.maxInFlight} requests await replies or half of
 * {@code bridge.maxQueuedBytes} is queued it stops reading (TCP pushes back on the client), and a publication that would
 * queue more than {@code bridge.maxQueuedBytes} drops the connection as a slow consumer. A connection that has sent no
 * accepted frame within {@code bridge.firstFrameTimeoutMs}, or has had no traffic either way for
 * {@code bridge.idleTimeoutMs}, is closed, so silent sockets cannot hold the bridge's slots. Runs on one event loop.
 */
final class BridgeConnection {
  // The stock bridge writes a reply as {"type":"message","address":<replyAddress>,...} or, when the request failed,
  // {"type":"err","address":<replyAddress>,...} (FrameHelper); BridgeConnectionTest pins that form.
  private static final String[] REPLY_PREFIXES = {"{\"type\":\"message\",\"address\":\"", "{\"type\":\"err\",\"address\":\""};
  private static final int REPLY_PEEK = 256;

  private final Vertx vertx;
  private final NetSocket socket;
  private final String client;
  private final BridgeConfig config;
  private final BridgeCounters counters;
  private final FrameDecoder decoder;
  private final FrameCheck check;
  private final Runnable onClosed;
  /** Reply address -> requests with it still awaiting their reply. */
  private final Map<String, Integer> awaiting = new HashMap<>();
  /** Addresses this client has registered for: the stock bridge would stack a second, never-removed consumer. */
  private final Set<String> registered = new HashSet<>();
  private Handler<Buffer> stockParser;
  private Handler<Void> stockEnd;
  private Handler<Void> stockClose;
  private int inFlight;
  private long queuedBytes;
  private int badFrames;
  private int authFailures;
  private boolean paused;
  private boolean draining;
  private boolean closing;
  private boolean closed;
  private boolean accepted;
  private long lastTraffic = System.nanoTime();
  private long firstFrameTimer = -1;
  private long idleTimer = -1;

  BridgeConnection(Vertx vertx, NetSocket socket, String client, BridgeConfig config, FrameCheck check,
                   BridgeCounters counters, Runnable onClosed) {
    this.vertx = vertx;
    this.socket = socket;
    this.client = client;
    this.config = config;
    this.check = check;
    this.counters = counters;
    this.onClosed = onClosed;
    this.decoder = new FrameDecoder(config.maxFrameBytes());
  }

  /** Hands the guarded socket to the stock bridge, then starts reading. */
  void start(Handler<NetSocket> stockBridge) {
    counters.connectionsAccepted.add(1);
    stockBridge.handle(new GuardedSocket(socket, this));
    if (stockParser == null) {
      throw new IllegalStateException("the stock bridge installed no frame handler");
    }
    socket.exceptionHandler(e -> close());
    socket.closeHandler(v -> closed());
    socket.handler(this::read);
    long firstFrameMs = config.firstFrameTimeoutMs();
    if (firstFrameMs > 0) {
      firstFrameTimer = vertx.setTimer(firstFrameMs, id -> {
        firstFrameTimer = -1;
        if (!accepted && !closing) {
          counters.closedFirstFrameTimeout.add(1);
          err("first_frame_timeout", "no accepted frame within " + firstFrameMs + " ms (bridge.firstFrameTimeoutMs);"
              + " closing", null);
          close();
        }
      });
    }
    armIdle(config.idleTimeoutMs());
  }

  /** Checks for idleness when the connection could first have been idle that long; re-armed for the remainder. */
  private void armIdle(long delayMs) {
    if (config.idleTimeoutMs() <= 0 || closing) {
      return;
    }
    idleTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      idleTimer = -1;
      if (closing) {
        return;
      }
      long quietMs = (System.nanoTime() - lastTraffic) / 1_000_000;
      if (quietMs >= config.idleTimeoutMs()) {
        counters.closedIdleTimeout.add(1);
        err("idle_timeout", "no frame either way for " + quietMs + " ms (bridge.idleTimeoutMs); closing", null);
        close();
      } else {
        armIdle(config.idleTimeoutMs() - quietMs);
      }
    });
  }

  void stockParser(Handler<Buffer> parser) {
    this.stockParser = parser;
  }

  void stockEndHandler(Handler<Void> handler) {
    this.stockEnd = handler;
  }

  void stockCloseHandler(Handler<Void> handler) {
    this.stockClose = handler;
  }

  private void read(Buffer chunk) {
    if (closing) {
      return;
    }
    lastTraffic = System.nanoTime();
    decoder.feed(chunk);
    drain();
  }

  /** Handles every complete frame read so far, unless the client must wait for its replies first. */
  private void drain() {
    if (draining) {
      return; // a frame handled below wrote synchronously (a pong); the loop in progress carries on
    }
    draining = true;
    try {
      while (!closing && !blocked()) {
        Buffer payload;
        try {
          payload = decoder.next();
        } catch (FrameDecoder.FrameTooLongException e) {
          counters.rejectedFrameTooLong.add(1);
          err("frame_too_long", e.getMessage(), null);
          close();
          return;
        }
        if (payload == null) {
          break;
        }
        handle(payload);
      }
    } finally {
      draining = false;
    }
    updateFlow();
  }

  private void handle(Buffer payload) {
    FrameCheck.Verdict verdict = registration(check.check(payload, client));
    if (verdict instanceof FrameCheck.Accepted accepted) {
      counters.framesIn.add(1);
      if (!this.accepted) {
        this.accepted = true;
        cancel(firstFrameTimer);
      }
      if (accepted.replyAddress() != null) {
        awaiting.merge(accepted.replyAddress(), 1, Integer::sum);
        inFlight++;
        counters.inFlight.add(1);
      }
      stockParser.handle(accepted.frame());
    } else if (verdict instanceof FrameCheck.Refused refused) {
      counters.refused(refused.refusal());
      err(refused.refusal().code, refused.reason(), refused.replyAddress());
      if (refused.refusal() == FrameCheck.Refusal.UNAUTHORIZED) {
        if (++authFailures >= config.maxAuthFailures()) {
          counters.closedAuthFailures.add(1);
          err("too_many_auth_failures", authFailures + " frames without the API token; closing", null);
          close();
        }
      } else if (++badFrames >= config.maxBadFrames()) {
        counters.closedTooManyBadFrames.add(1);
        err("too_many_bad_frames", badFrames + " bad frames (bridge.maxBadFrames); closing", null);
        close();
      }
    }
  }

  /** Refuses a second registration for one address; tracks which addresses are registered. */
  private FrameCheck.Verdict registration(FrameCheck.Verdict verdict) {
    if (verdict instanceof FrameCheck.Accepted accepted && accepted.address() != null) {
      if (accepted.type().equals("register") && !registered.add(accepted.address())) {
        return new FrameCheck.Refused(FrameCheck.Refusal.INVALID_FRAME, "register: already registered for \""
            + accepted.address() + "\" on this connection", null);
      }
      if (accepted.type().equals("unregister")) {
        registered.remove(accepted.address());
      }
    }
    return verdict;
  }

  private boolean blocked() {
    return inFlight >= config.maxInFlight() || queuedBytes > config.maxQueuedBytes() / 2;
  }

  /** Stops reading while blocked, and reads on (starting with frames already buffered) once unblocked. */
  private void updateFlow() {
    if (closing) {
      return;
    }
    boolean blocked = blocked();
    if (blocked && !paused) {
      paused = true;
      socket.pause();
    } else if (!blocked && paused) {
      paused = false;
      socket.resume();
      drain();
    }
  }

  /** Every frame the stock bridge writes to the client comes through here. */
  Future<Void> outbound(Buffer frame) {
    if (closing) {
      return Future.failedFuture("connection closed");
    }
    if (settlesRequest(frame)) {
      // Replies are always written: at most bridge.maxInFlight of them can be owed at once.
      Future<Void> written = write(frame);
      updateFlow();
      return written;
    }
    if (queuedBytes > 0 && queuedBytes + frame.length() > config.maxQueuedBytes()) {
      counters.closedSlowConsumer.add(1);
      close();
      return Future.failedFuture("slow consumer: " + queuedBytes + " bytes unread (bridge.maxQueuedBytes)");
    }
    return write(frame);
  }

  /** True if the frame is the reply to a request in flight, which it then settles. */
  private boolean settlesRequest(Buffer frame) {
    if (awaiting.isEmpty() || frame.length() < 8) {
      return false;
    }
    String head = frame.getString(4, Math.min(frame.length(), 4 + REPLY_PEEK), StandardCharsets.UTF_8.name());
    for (String prefix : REPLY_PREFIXES) {
      if (head.startsWith(prefix)) {
        int end = head.indexOf('"', prefix.length());
        if (end < 0) {
          return false;
        }
        String address = head.substring(prefix.length(), end);
        Integer waiting = awaiting.get(address);
        if (waiting == null) {
          return false;
        }
        if (waiting == 1) {
          awaiting.remove(address);
        } else {
          awaiting.put(address, waiting - 1);
        }
        inFlight--;
        counters.inFlight.add(-1);
        return true;
      }
    }
    return false;
  }

  private Future<Void> write(Buffer frame) {
    int size = frame.length();
    queuedBytes += size;
    counters.framesOut.add(1);
    return socket.write(frame).andThen(ar -> {
      queuedBytes -= size;
      lastTraffic = System.nanoTime();
      updateFlow();
    });
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** An err frame: {@code message} a code, {@code reason} a sentence naming what was wrong. */
  private void err(String code, String reason, String replyAddress) {
    JsonObject err = new JsonObject().put("type", "err");
    if (replyAddress != null) {
      err.put("address", replyAddress);
    }
    write(FrameCheck.encode(err.put("message", code).put("reason", reason)));
  }

  /** Closes the connection after what is already written; the bridge's registrations go when it is closed. */
  Future<Void> close() {
    closing = true;
    return socket.close();
  }

  private void closed() {
    if (closed) {
      return;
    }
    closed = true;
    if (!closing && decoder.holdsIncompleteFrame()) {
      counters.rejectedTruncated.add(1);
    }
    closing = true;
    cancel(firstFrameTimer);
    cancel(idleTimer);
    counters.connectionsClosed.add(1);
    counters.inFlight.add(-inFlight);
    inFlight = 0;
    awaiting.clear();
    // The stock bridge unregisters the client's consumers in its end handler.
    if (stockEnd != null) {
      stockEnd.handle(null);
    }
    if (stockClose != null) {
      stockClose.handle(null);
    }
    onClosed.run();
  }
}
