package dev.hellonet.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import dev.hellonet.config.ClusterSecret;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.util.Set;

/**
 * Hazelcast's configuration for a {@link ClusterPlan}: Vert.x's own maps from vertx-hazelcast's default file, discovery
 * by TCP/IP list or Kubernetes DNS (never multicast), the bind and public address, fast failure detection, and nothing
 * that talks to the outside world (no phone-home, no auto-detection of clouds). Closed to whoever lacks the cluster's
 * key as far as open-source Hazelcast allows: the member port speaks only the member protocol (no client endpoint, so
 * a Hazelcast client is turned away), and the cluster's name is derived from the key, so a member that does not hold
 * it is not let in; the clustered event bus requires the key's certificate both ways ({@link #eventBus}).
 */
public final class HazelcastSettings {
  /** Heartbeats every second; a member silent this long is removed (the bound the docs state for a dead node). */
  public static final int MAX_NO_HEARTBEAT_SECONDS = 10;

  private HazelcastSettings() {}

  public static Config of(ClusterPlan plan) {
    // vertx-hazelcast's default file declares the maps and multimap the event bus needs (subscriptions, node info)
    // with their backups; everything below adjusts it.
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(plan.secret().clusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    // Hazelcast prefixes every log line with the cluster's name, which is derived from the key: keep it out of logs.
    config.setProperty("hazelcast.logging.details.enabled", "false");
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

    // Advanced networking with a member endpoint only: the port then refuses the client protocol, which would let a
    // Hazelcast client that knows the cluster's name list and write every map.
    AdvancedNetworkConfig network = config.getAdvancedNetworkConfig().setEnabled(true);
    ServerSocketEndpointConfig member = new ServerSocketEndpointConfig();
    member.setPort(plan.port()).setPortAutoIncrement(false);
    if (!plan.host().isEmpty()) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      config.setProperty("hazelcast.local.localAddress", plan.host());
    }
    if (!plan.publicHost().isEmpty()) {
      member.setPublicAddress(plan.publicHost() + ":" + plan.port());
    }
    network.setMemberEndpointConfig(member);
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

  /**
   * The clustered event bus: where it binds and what it advertises (by default, where Hazelcast does), and mutual TLS
   * with the cluster's certificate (TLS 1.3), so a process without the key can neither connect to a node's event-bus
   * port nor pose as the target of a subscription. (Vert.x's default for the event bus is to trust any certificate.)
   */
  public static EventBusOptions eventBus(ClusterPlan plan) {
    EventBusOptions options = new EventBusOptions().setPort(plan.eventBusPort())
        .setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustAll(false)
        .setKeyCertOptions(new PfxOptions().setValue(Buffer.buffer(plan.secret().keyStoreBytes()))
            .setPassword(plan.secret().password()).setAlias(ClusterSecret.ALIAS))
        .setTrustOptions(new PfxOptions().setValue(Buffer.buffer(plan.secret().trustStoreBytes()))
            .setPassword(plan.secret().password()))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"));
    if (!plan.host().isEmpty()) {
      options.setHost(plan.host());
    }
    if (!plan.publicHost().isEmpty()) {
      options.setClusterPublicHost(plan.publicHost());
    }
    return options;
  }
}
