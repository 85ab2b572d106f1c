package dev.hellonet.crawl.policy;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Allow and deny lists of hosts and CIDR ranges, checked against resolved addresses. */
class TargetPolicyTest {
  private static final List<String> PRIVATE = List.of("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12",
      "192.168.0.0/16", "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10");

  private static List<InetAddress> ips(String... literals) throws Exception {
    InetAddress[] out = new InetAddress[literals.length];
    for (int i = 0; i < literals.length; i++) {
      out[i] = InetAddress.getByName(literals[i]);
    }
    return List.of(out);
  }

  @Test
  void emptyListsAllowEverything() throws Exception {
    assertNull(TargetPolicy.allowAll().check("localhost", ips("127.0.0.1")));
  }

  @Test
  void denyListCatchesPrivateAddressesBehindPublicNames() throws Exception {
    TargetPolicy policy = new TargetPolicy(List.of(), PRIVATE);
    assertNull(policy.check("example.org", ips("93.184.215.14")));
    String reason = policy.check("innocent.example.org", ips("93.184.215.14", "10.1.2.3"));
    assertNotNull(reason, "one private address is enough to refuse");
    assertTrue(reason.contains("10.0.0.0/8"), reason);
    assertNotNull(policy.check("metadata", ips("169.254.169.254")));
    assertNotNull(policy.check("v6", ips("::1")));
    assertNotNull(policy.check("v6", ips("fd12:3456::1")));
    assertNotNull(policy.check("mapped", ips("::ffff:192.168.1.1")));
    assertNull(policy.check("edge", ips("172.32.0.1")), "just outside 172.16.0.0/12");
  }

  @Test
  void allowListAdmitsOnlyWhatItNamesAndDenyStillWins() throws Exception {
    TargetPolicy policy = new TargetPolicy(List.of("*.example.org", "203.0.113.0/24"), List.of("bad.example.org"));
    assertNull(policy.check("www.example.org", ips("198.51.100.7")));
    assertNull(policy.check("anything", ips("203.0.113.9")));
    assertNotNull(policy.check("example.com", ips("198.51.100.7")));
    assertNotNull(policy.check("bad.example.org", ips("203.0.113.9")));
    assertNotNull(policy.check("example.org", ips("198.51.100.7")), "*.example.org does not name example.org");
  }

  @Test
  void malformedEntriesNameTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TargetPolicy(List.of(), List.of("10.0.0.0/8", "10.0.0.0/33")));
    assertTrue(e.getMessage().startsWith("crawler.deny[1]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new TargetPolicy(List.of("exa mple"), List.of()));
    assertTrue(e.getMessage().startsWith("crawler.allow[0]"), e.getMessage());
  }
}
