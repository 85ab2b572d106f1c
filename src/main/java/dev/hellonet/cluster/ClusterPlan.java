package dev.hellonet.cluster;

import dev.hellonet.config.ClusterSecret;
import dev.hellonet.config.ConfigException;
import dev.hellonet.config.HellonetConfig.ClusterConfig;
import dev.hellonet.supervisor.WorkerIdentity;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether and how this process joins a Vert.x cluster, resolved from the configuration and its place in a supervised
 * group. Workers of a supervisor always form a cluster, so that any of them answers the HTTP API for all: on loopback
 * among themselves ({@code cluster.port} + index) unless {@code cluster.enabled} puts them in a wider one.
 *
 * @param members TCP/IP discovery: {@code host:port} of the members; empty with DNS discovery
 * @param kubernetesService DNS discovery: the headless Service's name; empty with TCP/IP discovery
 * @param host where the cluster member and the event bus bind; empty leaves the choice to JGroups
 * @param publicHost what they advertise; empty = {@code host}
 * @param port this member's JGroups port
 * @param eventBusPort this member's event-bus port; 0 = any
 * @param secret the key every member holds: it names the cluster and authenticates the member and event-bus ports
 */
public record ClusterPlan(List<String> members, String kubernetesService, String host, String publicHost, int port,
                          int eventBusPort, ClusterSecret secret) {
  /** Loopback, where a supervisor's workers meet when no wider cluster is configured. */
  public static final String LOOPBACK = "127.0.0.1";

  public ClusterPlan {
    members = List.copyOf(members);
  }

  /**
   * The plan for this process; empty when it runs on its own.
   *
   * @throws ConfigException when it would cluster without the cluster's secret
   */
  public static Optional<ClusterPlan> resolve(ClusterConfig cluster, Optional<WorkerIdentity> worker) {
    int index = worker.map(WorkerIdentity::index).orElse(0);
    if (!cluster.enabled() && worker.isEmpty()) {
      return Optional.empty();
    }
    // A supervisor hands its workers a secret of its own making when none is configured (Supervisor).
    ClusterSecret secret = cluster.secret().orElseThrow(() -> new ConfigException(ClusterSecret.KEY_STORE_KEY
        + ": required: this process joins a cluster (" + (cluster.enabled() ? "cluster.enabled" : "worker "
        + index + " of a supervisor") + ") and the cluster's key is what every member proves it holds"));
    if (cluster.enabled()) {
      int eventBusPort = cluster.eventBusPort() == 0 ? 0 : cluster.eventBusPort() + index;
      return Optional.of(new ClusterPlan(cluster.members(), cluster.kubernetesService(), cluster.host(),
          cluster.publicHost(), cluster.port() + index, eventBusPort, secret));
    }
    List<String> siblings = new ArrayList<>();
    for (int i = 0; i < worker.get().count(); i++) {
      siblings.add(LOOPBACK + ":" + (cluster.port() + i));
    }
    return Optional.of(new ClusterPlan(siblings, "", LOOPBACK, "", cluster.port() + index, 0, secret));
  }

  /** For logs: how this member finds the others. */
  public String discovery() {
    return kubernetesService.isEmpty() ? "TCP/IP members " + members : "DNS of Service " + kubernetesService;
  }
}
