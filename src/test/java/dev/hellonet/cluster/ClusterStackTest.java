package dev.hellonet.cluster;

import dev.hellonet.config.ClusterKeys;
import dev.hellonet.config.ClusterSecret;
import dev.hellonet.config.ConfigException;
import dev.hellonet.config.HellonetConfig.ClusterConfig;
import dev.hellonet.supervisor.WorkerIdentity;
import dev.hellonet.testing.TestClusterKeys;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who clusters with whom, and the JGroups stack and event bus settings that keep a cluster's traffic where it was told
 * to be, encrypted, and closed to anyone without the cluster's key.
 */
class ClusterStackTest {
  private static final ClusterKeys.KeyFiles KEYS = TestClusterKeys.shared();
  private static final ClusterSecret SECRET = TestClusterKeys.sharedSecret();
  private static final ClusterConfig OFF = new ClusterConfig(false, List.of(), "", 5701, "", "", 0,
      KEYS.keyStore().toString(), KEYS.password().toString());

  @Test
  void aLoneProcessWithoutClusterEnabledDoesNotCluster() {
    assertTrue(ClusterPlan.resolve(OFF, Optional.empty()).isEmpty());
  }

  @Test
  void workersOfASupervisorClusterOnLoopbackAtConsecutivePorts() throws Exception {
    ClusterPlan plan = ClusterPlan.resolve(OFF, Optional.of(new WorkerIdentity(1, 3, Path.of("s")))).orElseThrow();

    assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703"), plan.members());
    assertEquals(5702, plan.port());
    assertEquals("127.0.0.1", plan.host());
    List<Protocol> stack = ClusterStack.protocols(plan, SECRET, new Refusals("test"));
    TCP tcp = assertInstanceOf(TCP.class, stack.get(0));
    assertEquals(5702, tcp.getBindPort());
    assertEquals(0, tcp.getPortRange(), "no auto-increment: a taken port fails the start");
    assertEquals("127.0.0.1", tcp.getBindAddress().getHostAddress());
    // Every member connection is TLS: the sockets it opens, and the server socket, which hands JGroups only
    // connections that completed a handshake.
    try (Socket client = tcp.getSocketFactory().createSocket("test");
         ServerSocket server = tcp.getSocketFactory().createServerSocket("test")) {
      assertInstanceOf(SSLSocket.class, client);
      assertNotEquals(ServerSocket.class, server.getClass());
    }
    TCPPING ping = assertInstanceOf(TCPPING.class, stack.get(1));
    assertEquals(3, ping.getInitialHosts().size());
    FD_ALL3 fd = stack.stream().filter(FD_ALL3.class::isInstance).map(FD_ALL3.class::cast).findFirst().orElseThrow();
    assertEquals(ClusterStack.SUSPECT_AFTER_MS, fd.getTimeout());
    // No protocol that opens a port of its own in the clear, no multicast.
    assertTrue(stack.stream().noneMatch(p -> p.getName().startsWith("FD_SOCK") || p.getName().equals("MPING")
        || p.getName().equals("UDP") || p.getName().equals("PING")), stack.toString());
  }

  @Test
  void theChannelHasNoDiagnosticsPortAndAUuidForAName() throws Exception {
    ClusterPlan plan = ClusterPlan.resolve(OFF, Optional.of(new WorkerIdentity(0, 2, Path.of("s")))).orElseThrow();
    try (var channel = ClusterStack.channel(plan, SECRET, new Refusals("test"))) {
      assertFalse(channel.getProtocolStack().getTransport().getDiagnosticsHandler().isEnabled());
      assertTrue(channel.getName().matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
          channel.getName());
    }
  }

  @Test
  void anEnabledClusterUsesItsConfiguredDiscoveryAndAddresses() throws Exception {
    ClusterConfig on = new ClusterConfig(true, List.of(), "hellonet-cluster.default.svc.cluster.local", 5701,
        "127.0.0.1", "127.0.0.2", 17001, KEYS.keyStore().toString(), KEYS.password().toString());
    ClusterPlan plan = ClusterPlan.resolve(on, Optional.empty()).orElseThrow();
    List<Protocol> stack = ClusterStack.protocols(plan, SECRET, new Refusals("test"));

    DNS_PING dns = assertInstanceOf(DNS_PING.class, stack.get(1));
    assertEquals("hellonet-cluster.default.svc.cluster.local", dns.getValue("dns_query"));
    assertEquals("127.0.0.2", ((TCP) stack.get(0)).getExternalAddr().getHostAddress());
    assertEquals(5701, ((TCP) stack.get(0)).getExternalPort());
    assertEquals(17001, plan.eventBusPort());
    assertTrue(stack.stream().noneMatch(TCPPING.class::isInstance), stack.toString());
  }

  @Test
  void workersInAnEnabledClusterOffsetTheirPorts() {
    ClusterConfig on = new ClusterConfig(true, List.of("h1:5701", "h2:5701"), "", 5701, "", "", 17001,
        KEYS.keyStore().toString(), KEYS.password().toString());
    ClusterPlan plan = ClusterPlan.resolve(on, Optional.of(new WorkerIdentity(2, 3, Path.of("s")))).orElseThrow();

    assertEquals(5703, plan.port());
    assertEquals(17003, plan.eventBusPort());
    assertEquals(List.of("h1:5701", "h2:5701"), plan.members());
  }

  @Test
  void aWorkerWithoutASecretIsRefusedNamingTheKey() {
    ClusterConfig none = new ClusterConfig(false, List.of(), "", 5701, "", "", 0, "", "");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ClusterPlan.resolve(none, Optional.of(new WorkerIdentity(0, 2, Path.of("s")))));
    assertTrue(e.getMessage().startsWith("cluster.keyStoreFile: "), e.getMessage());
  }

  @Test
  void theEventBusRequiresTheClustersCertificateBothWays() {
    ClusterPlan plan = ClusterPlan.resolve(OFF, Optional.of(new WorkerIdentity(0, 2, Path.of("s")))).orElseThrow();
    EventBusOptions options = ClusterStack.eventBus(plan);
    assertTrue(options.isSsl());
    assertEquals(ClientAuth.REQUIRED, options.getClientAuth());
    assertFalse(options.isTrustAll());
    assertEquals("127.0.0.1", options.getHost());
  }
}
