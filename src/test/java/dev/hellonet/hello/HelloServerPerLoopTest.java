package dev.hellonet.hello;

import dev.hellonet.app.Hellonet;
import dev.hellonet.config.HellonetConfig;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.ListeningSockets;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole protocol suite with {@code hello.acceptor=per-loop}: each of the two instances binds a listening socket of
 * its own with SO_REUSEPORT and accepts on its own event loop.
 */
class HelloServerPerLoopTest extends HelloServerTest {
  @Override
  protected TestConfig configure(TestConfig config) {
    return super.configure(config).set("hello.acceptor", "per-loop");
  }

  @Override
  protected int expectedListeningSockets() {
    return 2;
  }

  @Test
  void aSecondNodeOnTheSamePortFailsToStartInsteadOfSharingIt(@TempDir Path other) throws Exception {
    // SO_REUSEPORT sockets join each other without a word; the first listener checks the port is free first.
    HellonetConfig second = configure(TestConfig.inDir(other)).set("hello.port", port()).build();
    String message = String.valueOf(Await.failure(Hellonet.start(second)).getMessage());
    assertTrue(message.contains("hello.port: cannot listen on TCP") && message.contains("in use"), message);
    assertEquals(2, ListeningSockets.on(port()), "the first node still listens alone");
  }

  @Test
  void perLoopOnTheNioTransportIsRefusedNamingBothKeys(@TempDir Path other) throws Exception {
    // NIO binds no listening socket with SO_REUSEPORT here, so the instances could not share the port.
    HellonetConfig nio = TestConfig.inDir(other).set("transport", "nio").set("hello.acceptor", "per-loop").build();
    String message = String.valueOf(Await.failure(Hellonet.start(nio)).getMessage());
    assertTrue(message.contains("hello.acceptor") && message.contains("epoll") && message.contains("transport"), message);
  }

  @Test
  void theKernelSpreadsNewConnectionsOverEveryInstancesSocket() throws Exception {
    // The kernel picks a socket by a hash of the connection's addresses and ports: 200 connections from distinct
    // source ports all landing on one of two sockets has a chance of 2^-199.
    for (int i = 0; i < 200; i++) {
      try (LineClient client = LineClient.connect(port())) {
        client.send("x\n".getBytes());
        client.readNumber();
      }
    }
    JsonArray instances = node().counters().snapshot().getJsonObject("hello").getJsonArray("instances");
    assertEquals(2, instances.size());
    long total = 0;
    for (Object o : instances) {
      long accepted = ((JsonObject) o).getLong("connectionsAccepted");
      assertTrue(accepted > 0, "every instance accepted connections of its own: " + instances.encodePrettily());
      total += accepted;
    }
    assertEquals(200, total);
  }
}
