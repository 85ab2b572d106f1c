package dev.hellonet.deploy;

import dev.hellonet.crawl.policy.TargetPolicy;
import dev.hellonet.net.CidrSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pods' egress fence in k8s/egress.yaml, rendered as kubectl would apply it: DNS, the other hellonet pods,
 * PostgreSQL and public addresses are reachable; the private ranges that hold the cluster's Services, pods and nodes,
 * and the metadata endpoint, are not.
 */
class EgressPolicyTest {
  private static Manifests app;
  private static Manifests postgres;
  private static NetworkPolicy egress;

  @BeforeAll
  static void render() throws Exception {
    app = Manifests.render(Path.of("k8s"));
    postgres = Manifests.render(Path.of("k8s", "postgres"));
    List<NetworkPolicy> found = app.all(NetworkPolicy.class).stream()
        .filter(np -> np.getSpec().getPolicyTypes().contains("Egress")).toList();
    assertEquals(1, found.size(), "one egress policy for the hellonet pods: " + app.names());
    egress = found.get(0);
  }

  private static Map<String, String> labels(Map<String, String> of) {
    return of == null ? Map.of() : of;
  }

  private static boolean selects(NetworkPolicyPeer peer, Map<String, String> podLabels) {
    return peer.getPodSelector() != null && peer.getIpBlock() == null
        && podLabels.entrySet().containsAll(labels(peer.getPodSelector().getMatchLabels()).entrySet());
  }

  private static List<NetworkPolicyEgressRule> rulesTo(Map<String, String> podLabels) {
    return egress.getSpec().getEgress().stream()
        .filter(r -> r.getTo().stream().anyMatch(p -> p.getNamespaceSelector() == null && selects(p, podLabels)))
        .toList();
  }

  /** True when some ipBlock of the policy lets the pods connect to {@code address}. */
  private static boolean admitted(String address) throws Exception {
    InetAddress a = InetAddress.getByName(address);
    for (NetworkPolicyEgressRule rule : egress.getSpec().getEgress()) {
      for (NetworkPolicyPeer peer : rule.getTo()) {
        IPBlock block = peer.getIpBlock();
        if (block != null && CidrSet.parse(block.getCidr()).contains(a)
            && !CidrSet.parse(String.join(",", block.getExcept())).contains(a)) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void selectsTheHellonetPods() {
    Map<String, String> podLabels = app.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(egress.getSpec().getPodSelector().getMatchLabels().entrySet()));
    assertFalse(egress.getSpec().getPolicyTypes().contains("Ingress"),
        "ingress stays with the policies in networkpolicies.yaml");
  }

  @Test
  void dnsClusterTrafficAndPostgresAreReachable() {
    NetworkPolicyEgressRule dns = egress.getSpec().getEgress().stream()
        .filter(r -> r.getPorts() != null && r.getPorts().stream()
            .anyMatch(p -> p.getPort() != null && Objects.equals(p.getPort().getIntVal(), 53)))
        .findFirst().orElseThrow(() -> new AssertionError("no rule for DNS"));
    assertEquals(Set.of("UDP", "TCP"), dns.getPorts().stream().map(p -> p.getProtocol()).collect(Collectors.toSet()));
    assertTrue(dns.getTo().stream().allMatch(p -> p.getNamespaceSelector() != null && p.getPodSelector() != null),
        "DNS means the resolver pods, not any address on port 53");

    Map<String, String> podLabels = app.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(rulesTo(podLabels).stream().anyMatch(r -> r.getPorts() == null || r.getPorts().isEmpty()),
        "cluster traffic (membership and the event bus, whose port may be picked at start) reaches the other pods");

    StatefulSet db = postgres.one(StatefulSet.class);
    int dbPort = db.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getContainerPort();
    List<NetworkPolicyEgressRule> toDb = rulesTo(db.getSpec().getTemplate().getMetadata().getLabels());
    assertEquals(1, toDb.size(), "one rule for the database");
    assertEquals(List.of(dbPort), toDb.get(0).getPorts().stream().map(p -> p.getPort().getIntVal()).toList());
  }

  @Test
  void publicAddressesAreReachableAndTheCrawlersDefaultDenyIsNot() throws Exception {
    for (String publicAddress : List.of("93.184.215.14", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946")) {
      assertTrue(admitted(publicAddress), publicAddress + " is public and must be reachable");
    }
    // Typical Service, pod and node addresses, and the metadata endpoint.
    for (String internal : List.of("10.96.0.1", "10.0.0.10", "10.244.1.5", "172.20.0.1", "192.168.49.2",
        "100.64.0.10", "169.254.169.254", "127.0.0.1", "fd00:10:96::1", "fe80::1", "::1")) {
      assertFalse(admitted(internal), internal + " must not be reachable through the crawler's ipBlocks");
    }
    for (String range : TargetPolicy.DEFAULT_DENY) {
      if (!range.contains("/")) {
        continue; // a host name; the crawler refuses it by name
      }
      InetAddress first = InetAddress.getByName(range.substring(0, range.indexOf('/')));
      for (NetworkPolicyEgressRule rule : egress.getSpec().getEgress()) {
        for (NetworkPolicyPeer peer : rule.getTo()) {
          IPBlock block = peer.getIpBlock();
          if (block != null && CidrSet.parse(block.getCidr()).contains(first)) {
            assertTrue(CidrSet.parse(range).within(CidrSet.parse(String.join(",", block.getExcept()))),
                range + " of the crawler's default deny is not excepted from " + block.getCidr());
          }
        }
      }
    }
  }
}
