package dev.hellonet.bridge;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.BridgeConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static dev.hellonet.bridge.BridgeClient.ping;
import static dev.hellonet.bridge.BridgeClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge on a real Vert.x event bus with real sockets on loopback: what it lets through, what it refuses (with an
 * err frame, counted, nothing reaching the bus), and how it bounds what a client can make it hold.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BridgeVerticleTest {
  private static final String TOKEN = "bridge-test-token-0123456789";
  private static final int MAX_IN_FLIGHT = 8;
  private static final int MAX_BAD_FRAMES = 5;
  private final CounterRegistry registry = new CounterRegistry("test");

  private static BridgeConfig config(int maxQueuedBytes) {
    return new BridgeConfig(true, "127.0.0.1", 0, 16, 4096, MAX_IN_FLIGHT, maxQueuedBytes, MAX_BAD_FRAMES, 3, false);
  }

  private int deploy(Vertx vertx, String token) throws Exception {
    return deploy(vertx, token, 64 * 1024);
  }

  private int deploy(Vertx vertx, String token, int maxQueuedBytes) throws Exception {
    BridgeVerticle bridge = new BridgeVerticle(config(maxQueuedBytes), token, registry);
    Await.result(vertx.deployVerticle(bridge));
    return bridge.actualPort();
  }

  private int deploy(Vertx vertx, String token, BridgeConfig config) throws Exception {
    BridgeVerticle bridge = new BridgeVerticle(config, token, registry);
    Await.result(vertx.deployVerticle(bridge));
    return bridge.actualPort();
  }

  /** Limits for the slot tests: {@code max} connections, {@code perAddress} of them from one address. */
  private static BridgeConfig slots(int max, int perAddress, long firstFrameMs, long idleMs) {
    return new BridgeConfig(true, "127.0.0.1", 0, max, 4096, MAX_IN_FLIGHT, 64 * 1024, MAX_BAD_FRAMES, 3, false,
        perAddress, firstFrameMs, idleMs);
  }

  private long counter(String name) {
    JsonObject bridge = registry.snapshot().getJsonObject(BridgeVerticle.COUNTER_ROLE);
    return bridge.getJsonObject("total").getLong(name);
  }

  private static void eventually(String what, BooleanSupplier condition) throws Exception {
    Await.until(condition::getAsBoolean, what);
  }

  private static void assertErr(JsonObject frame, String code) {
    assertEquals("err", frame.getString("type"), frame.encode());
    assertEquals(code, frame.getString("message"), frame.encode());
    assertFalse(frame.getString("reason", "").isBlank(), frame.encode());
  }

  private static void assertStillServes(int port) throws IOException {
    try (BridgeClient other = BridgeClient.connect(port)) {
      assertEquals("pong", other.send(ping()).read().getString("type"));
    }
  }

  @Test
  void permittedRequestIsAnsweredAndNothingElseReachesTheBus(Vertx vertx) throws Exception {
    AtomicInteger reachedInternal = new AtomicInteger();
    AtomicInteger reachedStart = new AtomicInteger();
    Await.result(vertx.eventBus().consumer(Addresses.COUNTERS_GET, m -> m.reply(new JsonObject().put("answer", 42)))
        .completion());
    // Counts what came from the client; the test's own publication below ("secret") is not the client's.
    Await.result(vertx.eventBus().consumer("hellonet.internal", m -> {
      if (!"secret".equals(m.body())) {
        reachedInternal.incrementAndGet();
      }
    }).completion());
    Await.result(vertx.eventBus().consumer(Addresses.CRAWL_START, m -> reachedStart.incrementAndGet()).completion());
    int port = deploy(vertx, "");

    try (BridgeClient c = BridgeClient.connect(port)) {
      JsonObject reply = c.send(request(Addresses.COUNTERS_GET, "r.1", new JsonObject())).read();
      assertEquals("message", reply.getString("type"), reply.encode());
      assertEquals("r.1", reply.getString("address"));
      assertEquals(42, reply.getJsonObject("body").getInteger("answer"));

      JsonObject denied = c.send(request("hellonet.internal", "r.2", "x")).read();
      assertErr(denied, "access_denied");
      assertEquals("r.2", denied.getString("address"), "the err names the request it answers");
      assertErr(c.send(new JsonObject().put("type", "publish").put("address", Addresses.CRAWL_START)
          .put("body", new JsonObject().put("urls", List.of("http://127.0.0.1:1/")))).read(), "access_denied");
      assertErr(c.send(new JsonObject().put("type", "register").put("address", "hellonet.internal")).read(),
          "access_denied");
      assertErr(c.send(new JsonObject().put("type", "register").put("address", Addresses.COUNTERS_GET)).read(),
          "access_denied");
      vertx.eventBus().publish("hellonet.internal", "secret");
      assertEquals("pong", c.send(ping()).read().getString("type"), "nothing from an unregistered address");
    }
    // A fresh connection: the one above has used up most of its bad frames.
    try (BridgeClient c = BridgeClient.connect(port)) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.COUNTERS));
      assertEquals("pong", c.send(ping()).read().getString("type"));
      // A second registration would stack a consumer the stock bridge never removes.
      assertErr(c.send(new JsonObject().put("type", "register").put("address", Addresses.COUNTERS)).read(),
          "invalid_frame");
      vertx.eventBus().publish(Addresses.COUNTERS, new JsonObject().put("n", 1));
      JsonObject published = c.read();
      assertEquals(Addresses.COUNTERS, published.getString("address"), published.encode());
      assertEquals(1, published.getJsonObject("body").getInteger("n"));
      assertEquals("pong", c.send(ping()).read().getString("type"), "the publication arrived once");
    }
    assertEquals(0, reachedInternal.get(), "a refused send reached the bus");
    assertEquals(0, reachedStart.get(), "a refused publish reached the bus");
    assertEquals(4, counter("rejectedAccessDenied"));
  }

  @Test
  void framesNeedTheTokenWhichNeverReachesTheBusAndRepeatedFailuresClose(Vertx vertx) throws Exception {
    List<MultiMap> headers = new CopyOnWriteArrayList<>();
    Await.result(vertx.eventBus().consumer(Addresses.NODE_STATUS, (Message<Object> m) -> {
      headers.add(m.headers());
      m.reply("up");
    }).completion());
    int port = deploy(vertx, TOKEN);
    JsonObject withToken = new JsonObject().put("token", TOKEN).put("timeout", 5000);

    try (BridgeClient c = BridgeClient.connect(port)) {
      assertErr(c.send(request(Addresses.NODE_STATUS, "r.1", null)).read(), "unauthorized");
      assertErr(c.send(request(Addresses.NODE_STATUS, "r.2", null)
          .put("headers", new JsonObject().put("token", TOKEN + "x"))).read(), "unauthorized");
      JsonObject reply = c.send(request(Addresses.NODE_STATUS, "r.3", null).put("headers", withToken)).read();
      assertEquals("up", reply.getString("body"), reply.encode());
      assertErr(c.send(ping()).read(), "unauthorized");
      assertTrue(c.closedByServer(), "the third failure closes the connection");
    }
    assertEquals(1, headers.size());
    assertNull(headers.get(0).get("token"), "the token must not travel on the bus");
    assertEquals(3, counter("rejectedUnauthorized"));
    assertEquals(1, counter("closedAuthFailures"));
    try (BridgeClient c = BridgeClient.connect(port)) {
      assertEquals("pong", c.send(ping().put("headers", new JsonObject().put("token", TOKEN))).read()
          .getString("type"));
    }
  }

  @Test
  void silentSocketsAreClosedAfterTheFirstFrameTimeoutAndAClientWithTheTokenGetsIn(Vertx vertx) throws Exception {
    int port = deploy(vertx, TOKEN, slots(4, 16, 1_000, 0));
    JsonObject token = new JsonObject().put("token", TOKEN);
    List<BridgeClient> silent = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        silent.add(BridgeClient.connect(port));
      }
      eventually("four connections held", () -> counter("connectionsActive") == 4);
      try (BridgeClient refused = BridgeClient.connect(port)) {
        assertTrue(refused.closedByServer(), "every slot is held, so a fifth is closed at accept");
      }
      for (BridgeClient s : silent) {
        assertErr(s.read(), "first_frame_timeout");
        assertTrue(s.closedByServer());
      }
      assertEquals(4, counter("closedFirstFrameTimeout"));
      try (BridgeClient good = BridgeClient.connect(port)) {
        assertEquals("pong", good.send(ping().put("headers", token)).read().getString("type"));
        Thread.sleep(1_500);
        assertEquals("pong", good.send(ping().put("headers", token)).read().getString("type"),
            "a client whose first frame was accepted is not timed out");
      }
      // A frame without the token is no first frame: the socket is still closed in time.
      try (BridgeClient wrong = BridgeClient.connect(port)) {
        assertErr(wrong.send(ping()).read(), "unauthorized");
        assertErr(wrong.read(), "first_frame_timeout");
      }
    } finally {
      for (BridgeClient s : silent) {
        s.close();
      }
    }
  }

  @Test
  void oneAddressHoldsAtMostItsShareOfConnections(Vertx vertx) throws Exception {
    int port = deploy(vertx, "", slots(16, 2, 0, 0));
    try (BridgeClient a = BridgeClient.connect(port); BridgeClient b = BridgeClient.connect(port)) {
      assertEquals("pong", a.send(ping()).read().getString("type"));
      assertEquals("pong", b.send(ping()).read().getString("type"));
      try (BridgeClient third = BridgeClient.connect(port)) {
        assertTrue(third.closedByServer(), "a third connection from 127.0.0.1 is over bridge.maxConnectionsPerAddress");
      }
      assertEquals(1, counter("closedPerAddressLimit"));
      try (BridgeClient other = BridgeClient.connectFrom("127.0.0.2", port)) {
        assertEquals("pong", other.send(ping()).read().getString("type"), "another address has its own share");
      }
    }
    // The server sees the two closes a moment later: until then a new connection may still find the share taken.
    dev.hellonet.testing.Await.until(() -> {
      try (BridgeClient again = BridgeClient.connect(port)) {
        return "pong".equals(again.send(ping()).read().getString("type"));
      } catch (java.io.IOException refusedStill) {
        return false;
      }
    }, 10, "closed connections give their share back");
  }

  @Test
  void aConnectionWithoutTrafficIsClosedAfterTheIdleTimeout(Vertx vertx) throws Exception {
    int port = deploy(vertx, "", slots(16, 16, 0, 800));
    try (BridgeClient c = BridgeClient.connect(port)) {
      for (int i = 0; i < 4; i++) {
        assertEquals("pong", c.send(ping()).read().getString("type"));
        Thread.sleep(300);
      }
      JsonObject err = c.read();
      assertErr(err, "idle_timeout");
      assertTrue(c.closedByServer());
    }
    assertEquals(1, counter("closedIdleTimeout"));
  }

  @Test
  void aCrawlStartOverTheBridgeNamesItsClientForTheCrawlersPerClientShare(Vertx vertx) throws Exception {
    Await.result(vertx.eventBus().consumer(Addresses.CRAWL_START, (Message<Object> m) ->
        m.reply(new JsonObject().put("client", m.headers().get(Addresses.HEADER_CLIENT)))).completion());
    int port = deploy(vertx, "");
    try (BridgeClient c = BridgeClient.connectFrom("127.0.0.3", port)) {
      JsonObject reply = c.send(request(Addresses.CRAWL_START, "r.1", new JsonObject())).read();
      assertEquals("127.0.0.3", reply.getJsonObject("body").getString("client"), reply.encode());
    }
  }

  @Test
  void oversizedLengthPrefixGetsAnErrAndACloseWithoutBeingBuffered(Vertx vertx) throws Exception {
    int port = deploy(vertx, "");
    try (BridgeClient c = BridgeClient.connect(port)) {
      // Announces 1 GiB and sends a little of it: the bridge must refuse at the prefix, not wait for the rest.
      c.writeRaw(new byte[] {0x40, 0, 0, 0}).writeRaw(new byte[100]).flush();
      assertErr(c.read(), "frame_too_long");
      assertTrue(c.closedByServer());
    }
    assertEquals(1, counter("rejectedFrameTooLong"));
    assertStillServes(port);
  }

  @Test
  void truncatedFrameIsCountedWhenTheClientGoesAway(Vertx vertx) throws Exception {
    int port = deploy(vertx, "");
    try (BridgeClient c = BridgeClient.connect(port)) {
      c.writeRaw(new byte[] {0, 0, 0, 100}).writeRaw("{\"type\":\"pi".getBytes()).flush();
    }
    eventually("the truncated frame is counted", () -> counter("rejectedTruncated") == 1);
    eventually("the connection is gone", () -> counter("connectionsActive") == 0);
    assertStillServes(port);
  }

  @Test
  void invalidJsonAndUnknownTypesGetErrsAndTooManyClose(Vertx vertx) throws Exception {
    int port = deploy(vertx, "");
    try (BridgeClient c = BridgeClient.connect(port)) {
      c.writeRaw(new byte[] {0, 0, 0, 5}).writeRaw("{nope".getBytes()).flush();
      assertErr(c.read(), "invalid_json");
      c.writeRaw(new byte[] {0, 0, 0, 3}).writeRaw("[1]".getBytes()).flush();
      assertErr(c.read(), "invalid_json");
      assertErr(c.send(new JsonObject().put("type", "shout").put("address", Addresses.COUNTERS_GET)).read(),
          "unknown_type");
      assertErr(c.send(new JsonObject().put("type", "send")).read(), "missing_address");
      assertEquals("pong", c.send(ping()).read().getString("type"), "a bad frame does not end the connection");
      assertErr(c.send(request(Addresses.COUNTERS_GET, "r.1", null)
          .put("headers", new JsonObject().put("codecName", "evil"))).read(), "invalid_frame");
      assertErr(c.read(), "too_many_bad_frames");
      assertTrue(c.closedByServer(), MAX_BAD_FRAMES + " bad frames close the connection");
    }
    assertEquals(2, counter("rejectedInvalidJson"));
    assertEquals(1, counter("rejectedUnknownType"));
    assertEquals(2, counter("rejectedInvalidFrame"));
    assertEquals(1, counter("closedTooManyBadFrames"));
    assertStillServes(port);
  }

  @Test
  void tenThousandPipelinedRequestsAreAllAnsweredWithBoundedRequestsInFlight(Vertx vertx) throws Exception {
    AtomicInteger held = new AtomicInteger();
    AtomicInteger maxHeld = new AtomicInteger();
    // The consumer answers each request a millisecond later, so requests would pile up if the bridge let them.
    Await.result(vertx.eventBus().consumer(Addresses.COUNTERS_GET, (Message<Object> m) -> {
      maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
      vertx.setTimer(1, t -> {
        held.decrementAndGet();
        m.reply(m.body());
      });
    }).completion());
    int port = deploy(vertx, "");
    int n = 10_000;
    try (BridgeClient c = BridgeClient.connect(port)) {
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          for (int i = 0; i < n; i++) {
            c.write(request(Addresses.COUNTERS_GET, "r." + (i % 97), i));
          }
          c.flush();
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      Set<Integer> answered = new HashSet<>();
      for (int i = 0; i < n; i++) {
        JsonObject reply = c.read();
        assertEquals("message", reply.getString("type"), reply.encode());
        int body = reply.getInteger("body");
        assertEquals("r." + (body % 97), reply.getString("address"));
        answered.add(body);
      }
      writer.join(10_000);
      assertEquals(n, answered.size(), "every request answered once");
    }
    assertTrue(maxHeld.get() <= MAX_IN_FLIGHT, "at most " + MAX_IN_FLIGHT + " requests in flight; saw " + maxHeld);
    assertEquals(n, counter("framesIn"));
    eventually("nothing left in flight", () -> counter("inFlight") == 0);
  }

  @Test
  void clientThatPipelinesAndNeverReadsHoldsABoundedAmountAndOthersAreServed(Vertx vertx) throws Exception {
    Await.result(vertx.eventBus().consumer(Addresses.COUNTERS_GET, (Message<Object> m) ->
        m.reply(new JsonObject().put("pad", "x".repeat(2000)))).completion());
    int port = deploy(vertx, "", 16 * 1024);
    try (BridgeClient c = BridgeClient.connect(port, 4096)) {
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          for (int i = 0; i < 10_000; i++) {
            c.write(request(Addresses.COUNTERS_GET, "r.1", i));
          }
          c.flush();
        } catch (IOException e) {
          // The test closes the socket while this writer is still blocked: expected.
        }
      });
      // Replies fill the client's and the kernel's buffers, then the bridge's queue; then it stops reading. Waits
      // until the count of frames taken stays put for a second (at most 30 s), whatever the machine's speed.
      long framesIn = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (framesIn <= 0 || framesIn != counter("framesIn")) {
        assertTrue(System.nanoTime() < deadline, "the bridge kept reading from a client that does not read");
        framesIn = counter("framesIn");
        Thread.sleep(1000);
      }
      assertTrue(framesIn < 10_000, "it stopped before taking every request: " + framesIn);
      assertTrue(counter("inFlight") <= MAX_IN_FLIGHT, "in flight: " + counter("inFlight"));
      assertStillServes(port);
      c.socket.close(); // unblocks the writer; the try closes it again, harmlessly
      writer.join(10_000);
    }
    eventually("the connection is gone", () -> counter("connectionsActive") == 0);
  }

  @Test
  void subscriberThatNeverReadsIsDroppedAndOthersAreServed(Vertx vertx) throws Exception {
    int port = deploy(vertx, "", 16 * 1024);
    try (BridgeClient c = BridgeClient.connect(port, 4096)) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.COUNTERS));
      assertEquals("pong", c.send(ping()).read().getString("type"));
      JsonObject big = new JsonObject().put("pad", "x".repeat(16 * 1024));
      AtomicInteger published = new AtomicInteger();
      // Bounded: at most 4000 publications of 16 KiB, stopping as soon as the bridge drops the subscriber.
      long timer = vertx.setPeriodic(1, id -> {
        if (published.incrementAndGet() > 4000 || counter("closedSlowConsumer") > 0) {
          vertx.cancelTimer(id);
          return;
        }
        vertx.eventBus().publish(Addresses.COUNTERS, big);
      });
      eventually("the subscriber is dropped", () -> counter("closedSlowConsumer") == 1);
      vertx.cancelTimer(timer);
      assertTrue(c.closedByServer(), "the connection ends after what was already sent");
      assertTrue(published.get() < 4000, "dropped before the publisher stopped: " + published.get());
    }
    assertStillServes(port);
  }

  @Test
  void stockBridgeWritesRepliesInTheFormTheGuardRecognises() {
    // BridgeConnection counts a reply by its first bytes; this pins the stock FrameHelper's field order.
    List<Buffer> written = new ArrayList<>();
    io.vertx.core.streams.WriteStream<Buffer> sink = new RecordingStream(written);
    FrameHelper.sendFrame("message", "r.7", null, new JsonObject(), true, "body", sink);
    FrameHelper.sendErrFrame(Addresses.COUNTERS_GET, "r.8",
        new io.vertx.core.eventbus.ReplyException(io.vertx.core.eventbus.ReplyFailure.TIMEOUT, "late"), sink);
    assertTrue(written.get(0).getString(4, written.get(0).length()).startsWith("{\"type\":\"message\",\"address\":\"r.7\""));
    assertTrue(written.get(1).getString(4, written.get(1).length()).startsWith("{\"type\":\"err\",\"address\":\"r.8\""));
  }

  /** Collects what is written. */
  private record RecordingStream(List<Buffer> written) implements io.vertx.core.streams.WriteStream<Buffer> {
    @Override
    public io.vertx.core.streams.WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      written.add(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public io.vertx.core.streams.WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public io.vertx.core.streams.WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> handler) {
      return this;
    }
  }
}
