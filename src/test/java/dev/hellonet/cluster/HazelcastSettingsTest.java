package dev.hellonet.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.hellonet.config.HellonetConfig.ClusterConfig;
import dev.hellonet.config.ClusterKeys;
import dev.hellonet.config.ClusterSecret;
import dev.hellonet.config.ConfigException;
import dev.hellonet.supervisor.WorkerIdentity;
import dev.hellonet.testing.TestClusterKeys;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who clusters with whom, and the Hazelcast and event bus settings that keep a cluster's traffic where it was told to
 * be and shut out whoever lacks the cluster's key.
 */
class HazelcastSettingsTest {
  private static final ClusterKeys.KeyFiles KEYS = TestClusterKeys.shared();
  private static final ClusterSecret SECRET = TestClusterKeys.sharedSecret();
  private static final ClusterConfig OFF = new ClusterConfig(false, List.of(), "", 5701, "", "", 0,
      KEYS.keyStore().toString(), KEYS.password().toString());

  @Test
  void aLoneProcessWithoutClusterEnabledDoesNotCluster() {
    assertTrue(ClusterPlan.resolve(OFF, Optional.empty()).isEmpty());
  }

  @Test
  void workersOfASupervisorClusterOnLoopbackAtConsecutivePorts() {
    ClusterPlan plan = ClusterPlan.resolve(OFF, Optional.of(new WorkerIdentity(1, 3, Path.of("s")))).orElseThrow();

    assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703"), plan.members());
    assertEquals(5702, plan.port());
    assertEquals("127.0.0.1", plan.host());
    Config config = HazelcastSettings.of(plan);
    JoinConfig join = config.getAdvancedNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(plan.members(), join.getTcpIpConfig().getMembers());
    // The member protocol only: no endpoint for Hazelcast clients.
    assertTrue(config.getAdvancedNetworkConfig().isEnabled());
    assertEquals(1, config.getAdvancedNetworkConfig().getEndpointConfigs().size(),
        config.getAdvancedNetworkConfig().getEndpointConfigs().toString());
    assertEquals(5702, ((com.hazelcast.config.ServerSocketEndpointConfig) config.getAdvancedNetworkConfig()
        .getEndpointConfigs().values().iterator().next()).getPort());
    // The cluster's name comes from the key, and stays out of Hazelcast's log lines.
    assertEquals(SECRET.clusterName(), config.getClusterName());
    assertTrue(config.getClusterName().matches("hellonet-[0-9a-f]{32}"), config.getClusterName());
    assertNotEquals(TestClusterKeys.load(TestClusterKeys.fresh()).clusterName(), config.getClusterName());
    assertEquals("false", config.getProperty("hazelcast.logging.details.enabled"));
    assertEquals("127.0.0.1", config.getProperty("hazelcast.local.localAddress"));
    assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    // Vert.x's own structures come from vertx-hazelcast's defaults.
    assertTrue(config.getMultiMapConfigs().containsKey("__vertx.subs"));
  }

  @Test
  void anEnabledClusterUsesItsConfiguredDiscoveryAndAddresses() {
    ClusterConfig on = new ClusterConfig(true, List.of(), "hellonet-hz.default.svc.cluster.local", 5701, "10.0.0.5",
        "node1.example", 17001, KEYS.keyStore().toString(), KEYS.password().toString());
    ClusterPlan plan = ClusterPlan.resolve(on, Optional.empty()).orElseThrow();
    Config config = HazelcastSettings.of(plan);

    JoinConfig join = config.getAdvancedNetworkConfig().getJoin();
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("hellonet-hz.default.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals("node1.example:5701", ((com.hazelcast.config.ServerSocketEndpointConfig) config
        .getAdvancedNetworkConfig().getEndpointConfigs().values().iterator().next()).getPublicAddress());
    assertEquals(17001, plan.eventBusPort());
    assertFalse(join.getMulticastConfig().isEnabled());
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
    EventBusOptions options = HazelcastSettings.eventBus(plan);
    assertTrue(options.isSsl());
    assertEquals(ClientAuth.REQUIRED, options.getClientAuth());
    assertFalse(options.isTrustAll());
    assertEquals("127.0.0.1", options.getHost());
  }
}
