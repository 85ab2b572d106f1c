package dev.hellonet.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * Hazelcast's configuration for a {@link ClusterPlan}: Vert.x's own maps from vertx-hazelcast's default file, discovery
 * by TCP/IP list or Kubernetes DNS (never multicast), the bind and public address, fast failure detection, and nothing
 * that talks to the outside world (no phone-home, no auto-detection of clouds).
 */
public final class HazelcastSettings {
  /** Every member of hellonet's clusters uses this name; a Hazelcast cluster of another name is never joined. */
  public static final String CLUSTER_NAME = "hellonet";
  /** Heartbeats every second; a member silent this long is removed (the bound the docs state for a dead node). */
  public static final int MAX_NO_HEARTBEAT_SECONDS = 10;

  private HazelcastSettings() {}

  public static Config of(ClusterPlan plan) {
    // vertx-hazelcast's default file declares the maps and multimap the event bus needs (subscriptions, node info)
    // with their backups; everything below adjusts it.
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(CLUSTER_NAME);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    // The node leaves the cluster itself on a graceful stop (Vert.x closes the cluster manager); Hazelcast's own hook
    // would race with that.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS));
    // Defaults are tuned for big clusters: 5 s before the first join attempt and 5 minutes before split clusters
    // (members that started at the same moment and did not see each other) merge. Ours are small.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(plan.port()).setPortAutoIncrement(false);
    if (!plan.host().isEmpty()) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      config.setProperty("hazelcast.local.localAddress", plan.host());
    }
    if (!plan.publicHost().isEmpty()) {
      network.setPublicAddress(plan.publicHost() + ":" + plan.port());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (plan.kubernetesService().isEmpty()) {
      join.getTcpIpConfig().setEnabled(true).setMembers(plan.members()).setConnectionTimeoutSeconds(2);
    } else {
      // DNS lookup of a headless Service: no Kubernetes API access (no service account permissions) needed.
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", plan.kubernetesService())
          .setProperty("service-port", Integer.toString(plan.port()));
    }
    return config;
  }
}
