package dev.hellonet.bridge;

import dev.hellonet.config.HellonetConfig.BridgeConfig;
import dev.hellonet.counters.CounterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The TCP event bus bridge: clients in any language speak Vert.x's bridge protocol (a 4-byte big-endian length, then a
 * JSON frame) to reach the permitted addresses of this node's event bus ({@link BridgePermissions}). The protocol
 * itself is the stock {@code vertx-tcp-eventbus-bridge}; each connection reaches it through a {@link BridgeConnection}
 * guard that bounds frames, requests in flight and queued bytes, and checks the API token.
 */
public final class BridgeVerticle extends VerticleBase {
  /** Counter role under which the bridge registers. */
  public static final String COUNTER_ROLE = "bridge";
  private static final Logger LOG = Logger.getLogger(BridgeVerticle.class.getName());

  private final BridgeConfig config;
  private final String token;
  private final CounterRegistry registry;
  private final BridgeCounters counters = new BridgeCounters();
  private final Set<BridgeConnection> connections = new HashSet<>();
  /** Open connections per client address, for {@code bridge.maxConnectionsPerAddress}. */
  private final Map<String, Integer> perAddress = new HashMap<>();
  private Handler<NetSocket> stockBridge;
  private FrameCheck check;
  private NetServer server;
  private Runnable unregister;

  /** {@code token}: the API token every frame must carry; empty for none. */
  public BridgeVerticle(BridgeConfig config, String token, CounterRegistry registry) {
    this.config = config;
    this.token = token;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    stockBridge = StockBridge.connectionHandler(vertx, BridgePermissions.options());
    check = new FrameCheck(token);
    unregister = registry.register(COUNTER_ROLE, "bridge-0", counters::snapshot);
    server = vertx.createNetServer(new NetServerOptions().setHost(config.host()).setPort(config.port()));
    server.connectHandler(this::connected);
    return server.listen().onSuccess(s -> LOG.info("event bus bridge on " + config.host() + ":" + s.actualPort()
        + (token.isEmpty() ? "" : " (frames need the API token)")));
  }

  private void connected(NetSocket socket) {
    if (connections.size() >= config.maxConnections()) {
      counters.closedConnectionLimit.add(1);
      socket.close();
      return;
    }
    String client = socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
    if (perAddress.getOrDefault(client, 0) >= config.maxConnectionsPerAddress()) {
      counters.closedPerAddressLimit.add(1);
      socket.close();
      return;
    }
    perAddress.merge(client, 1, Integer::sum);
    BridgeConnection[] self = new BridgeConnection[1];
    self[0] = new BridgeConnection(vertx, socket, client, config, check, counters, () -> {
      connections.remove(self[0]);
      perAddress.computeIfPresent(client, (a, n) -> n == 1 ? null : n - 1);
    });
    connections.add(self[0]);
    self[0].start(stockBridge);
  }

  /** The port the bridge listens on, which differs from the configured one when that was 0. */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(server.close());
    for (BridgeConnection c : List.copyOf(connections)) {
      closing.add(c.close());
    }
    return Future.join(closing).eventually(() -> {
      if (unregister != null) {
        unregister.run();
      }
      return Future.succeededFuture();
    });
  }
}
