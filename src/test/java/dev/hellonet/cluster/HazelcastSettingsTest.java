package dev.hellonet.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.hellonet.config.HellonetConfig.ClusterConfig;
import dev.hellonet.supervisor.WorkerIdentity;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who clusters with whom, and the Hazelcast settings that keep a cluster's traffic where it was told to be. */
class HazelcastSettingsTest {
  private static final ClusterConfig OFF = new ClusterConfig(false, List.of(), "", 5701, "", "", 0);

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
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(plan.members(), join.getTcpIpConfig().getMembers());
    assertEquals(5702, config.getNetworkConfig().getPort());
    assertFalse(config.getNetworkConfig().isPortAutoIncrement());
    assertEquals("127.0.0.1", config.getProperty("hazelcast.local.localAddress"));
    assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    // Vert.x's own structures come from vertx-hazelcast's defaults.
    assertTrue(config.getMultiMapConfigs().containsKey("__vertx.subs"));
  }

  @Test
  void anEnabledClusterUsesItsConfiguredDiscoveryAndAddresses() {
    ClusterConfig on = new ClusterConfig(true, List.of(), "hellonet-hz.default.svc.cluster.local", 5701, "10.0.0.5",
        "node1.example", 17001);
    ClusterPlan plan = ClusterPlan.resolve(on, Optional.empty()).orElseThrow();
    Config config = HazelcastSettings.of(plan);

    JoinConfig join = config.getNetworkConfig().getJoin();
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("hellonet-hz.default.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals("node1.example:5701", config.getNetworkConfig().getPublicAddress());
    assertEquals(17001, plan.eventBusPort());
    assertFalse(join.getMulticastConfig().isEnabled());
  }

  @Test
  void workersInAnEnabledClusterOffsetTheirPorts() {
    ClusterConfig on = new ClusterConfig(true, List.of("h1:5701", "h2:5701"), "", 5701, "", "", 17001);
    ClusterPlan plan = ClusterPlan.resolve(on, Optional.of(new WorkerIdentity(2, 3, Path.of("s")))).orElseThrow();

    assertEquals(5703, plan.port());
    assertEquals(17003, plan.eventBusPort());
    assertEquals(List.of("h1:5701", "h2:5701"), plan.members());
  }
}
