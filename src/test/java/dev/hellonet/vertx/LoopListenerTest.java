package dev.hellonet.vertx;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.hellonet.testing.ListeningSockets;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.transport.Transport;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listeners of their own on two event loops of a real epoll Vert.x: one port, accept and serve on the listener's loop,
 * Vert.x's net-server metrics, and a shutdown that reaches every open connection.
 */
@ExtendWith(VertxExtension.class)
class LoopListenerTest {
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(2).setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true).setRegistryName("loop-listener-test-" + UUID.randomUUID())))
        .withTransport(Transport.EPOLL)
        .withMetrics(new MicrometerMetricsFactory(meters))
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  /** Two listeners on two event-loop contexts, bound on one port; each counts the connections it served. */
  private record Pair(int port, List<LoopListener> listeners, List<AtomicInteger> served, List<Context> contexts) {}

  private Future<Pair> listenTwice(java.util.function.BiConsumer<Integer, NetSocket> onSocket) {
    List<Context> contexts = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext());
    List<AtomicInteger> served = List.of(new AtomicInteger(), new AtomicInteger());
    List<LoopListener> listeners = new CopyOnWriteArrayList<>();
    NetServerOptions options = new NetServerOptions();
    Future<Integer> first = onContext(contexts.get(0), () -> {
      LoopListener l = new LoopListener(vertx, contexts.get(0), options, so -> {
        served.get(0).incrementAndGet();
        onSocket.accept(0, so);
      });
      listeners.add(l);
      return l.listen("127.0.0.1", 0);
    });
    return first.compose(port -> onContext(contexts.get(1), () -> {
      LoopListener l = new LoopListener(vertx, contexts.get(1), options, so -> {
        served.get(1).incrementAndGet();
        onSocket.accept(1, so);
      });
      listeners.add(l);
      return l.listen("127.0.0.1", port);
    })).map(port -> new Pair(port, listeners, served, contexts));
  }

  private static <T> Future<T> onContext(Context context, java.util.function.Supplier<Future<T>> work) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> work.get().onComplete(p));
    return p.future();
  }

  @Test
  void twoLoopsShareOnePortAndEachServesWhatItAccepts(VertxTestContext test) throws Throwable {
    List<String> wrongThread = new CopyOnWriteArrayList<>();
    List<Context> contexts = new ArrayList<>();
    Pair pair = listenTwice((i, so) -> {
      // Accepted and served on one thread: the handler runs on the listener's own context, on its event loop.
      if (Vertx.currentContext() != contexts.get(i)) {
        wrongThread.add("listener " + i + " served on " + Thread.currentThread().getName());
      }
      so.write("hi\n").onComplete(ar -> so.close());
    }).await(20, TimeUnit.SECONDS);
    contexts.addAll(pair.contexts());
    assertEquals(2, ListeningSockets.on(pair.port()), "listening sockets on port " + pair.port());

    // The kernel picks a socket by a hash of the connection's ports: 100 connections all landing on one of two
    // sockets has a chance of 2^-99.
    for (int i = 0; i < 100; i++) {
      try (Socket s = new Socket("127.0.0.1", pair.port())) {
        s.setSoTimeout(10_000);
        assertEquals("hi\n", new String(s.getInputStream().readNBytes(3)));
      }
    }
    test.verify(() -> {
      assertTrue(wrongThread.isEmpty(), wrongThread.toString());
      assertEquals(100, pair.served().get(0).get() + pair.served().get(1).get());
      assertTrue(pair.served().get(0).get() > 0 && pair.served().get(1).get() > 0,
          "both loops accepted: " + pair.served());
      Meter bytesWritten = meters.find("vertx.net.server.bytes.written").meter();
      assertTrue(bytesWritten != null, "Vert.x's net-server metrics count these connections, as for a NetServer");
      test.completeNow();
    });
  }

  @Test
  void shutdownStopsAcceptingTellsEveryConnectionAndClosesThoseThatLinger(VertxTestContext test) throws Throwable {
    AtomicInteger told = new AtomicInteger();
    List<NetSocket> sockets = new CopyOnWriteArrayList<>();
    Pair pair = listenTwice((i, so) -> {
      sockets.add(so);
      so.shutdownHandler(v -> {
        told.incrementAndGet();
        if (told.get() == 1) {
          so.close(); // the polite one closes at once; the other ignores the shutdown
        }
      });
    }).await(20, TimeUnit.SECONDS);
    List<Socket> clients = new ArrayList<>();
    try {
      clients.add(new Socket("127.0.0.1", pair.port()));
      clients.add(new Socket("127.0.0.1", pair.port()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sockets.size() < clients.size() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(2, sockets.size(), "both connections were accepted");
      long started = System.nanoTime();
      Future.all(pair.listeners().stream().map(l -> l.shutdown(300)).toList()).await(20, TimeUnit.SECONDS);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      test.verify(() -> {
        assertEquals(clients.size(), told.get(), "every open connection was told");
        assertTrue(tookMs >= 250, "the shutdown waited for the lingering connection (" + tookMs + " ms)");
        for (Socket c : clients) {
          c.setSoTimeout(10_000);
          InputStream in = c.getInputStream();
          int r;
          try {
            r = in.read();
          } catch (IOException reset) {
            r = -1;
          }
          assertEquals(-1, r, "every connection is closed once the shutdown completes");
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", pair.port()).close(),
            "nothing listens any more");
        test.completeNow();
      });
    } finally {
      for (Socket c : clients) {
        c.close();
      }
    }
  }

  @Test
  void theSocketsAreNetSocketsOfTheirLoopsContext(VertxTestContext test) throws Throwable {
    List<Context> seen = new CopyOnWriteArrayList<>();
    Pair pair = listenTwice((i, so) -> {
      seen.add(Vertx.currentContext());
      RawSocket raw = VertxInternals.raw(so);
      test.verify(() -> {
        assertEquals("handler", raw.context().name(), "Vert.x's handler sits where HelloConnection expects it");
        assertSame(VertxInternals.eventLoop(Vertx.currentContext()), raw.context().channel().eventLoop(),
            "the channel is registered on the loop that accepted it");
      });
      so.close();
    }).await(20, TimeUnit.SECONDS);
    try (Socket s = new Socket("127.0.0.1", pair.port())) {
      s.setSoTimeout(10_000);
      assertEquals(-1, s.getInputStream().read());
    }
    test.verify(() -> {
      assertTrue(pair.contexts().contains(seen.get(0)), "served on one of the listeners' contexts");
      test.completeNow();
    });
  }
}
