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

  @Test
  void ipv6FormsOfAnIpv4AddressAreCheckedAsThatAddress() throws Exception {
    TargetPolicy policy = new TargetPolicy(List.of(), List.of("127.0.0.0/8", "10.0.0.0/8"));
    for (String literal : new String[] {"::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::10.1.2.3",
        "::ffff:10.9.9.9", "::10.0.0.1"}) {
      assertNotNull(policy.check("[" + literal + "]", ips(literal)), literal);
    }
    assertNull(policy.check("public", ips("64:ff9b::5db8:d70e")), "NAT64 of a public address stays allowed");
    TargetPolicy allowPublic = new TargetPolicy(List.of("93.184.0.0/16"), List.of());
    assertNull(allowPublic.check("nat64", ips("64:ff9b::5db8:d70e")), "allowed through the IPv4 it carries");
  }

  @Test
  void unspecifiedAddressesMeanTheLocalHost() throws Exception {
    TargetPolicy loopbackOnly = new TargetPolicy(List.of(), List.of("127.0.0.0/8", "::1/128"));
    assertNotNull(loopbackOnly.check("0.0.0.0", ips("0.0.0.0")));
    assertNotNull(loopbackOnly.check("[::]", ips("::")));
    assertNotNull(loopbackOnly.check("[::ffff:0.0.0.0]", ips("::ffff:0.0.0.0")));
    assertNotNull(new TargetPolicy(List.of(), List.of("0.0.0.0/8")).check("[::]", ips("::")));
    assertNull(loopbackOnly.check("public", ips("93.184.215.14")));
  }

  @Test
  void trailingDotsDoNotSlipPastHostRules() throws Exception {
    TargetPolicy policy = new TargetPolicy(List.of(), List.of("internal.corp", "*.corp"));
    for (String host : new String[] {"internal.corp.", "INTERNAL.CORP..", "a.corp.", "internal.corp"}) {
      assertNotNull(policy.check(host, ips("93.184.215.14")), host);
    }
    TargetPolicy allow = new TargetPolicy(List.of("example.org"), List.of());
    assertNull(allow.check("example.org.", ips("93.184.215.14")));
  }

  @Test
  void theRecommendedDenyListInTheDocsRefusesEveryLocalPrivateAndMetadataRange() throws Exception {
    String docs = java.nio.file.Files.readString(java.nio.file.Path.of("docs/crawler.md"));
    int at = docs.indexOf("<!-- recommended-deny -->");
    String block = docs.substring(docs.indexOf("```json", at) + 7, docs.indexOf("```", docs.indexOf("```json", at) + 7));
    io.vertx.core.json.JsonArray deny = new io.vertx.core.json.JsonObject("{" + block + "}")
        .getJsonObject("crawler").getJsonArray("deny");
    List<String> entries = deny.stream().map(String::valueOf).toList();
    TargetPolicy policy = new TargetPolicy(List.of(), entries);
    for (String local : new String[] {"0.0.0.0", "0.1.2.3", "::", "127.0.0.1", "127.255.0.1", "::1", "10.1.2.3",
        "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.100.100.200", "169.254.169.254",
        "169.254.1.1", "fe80::1", "fd00:ec2::254", "fc00::1", "fec0::1", "192.0.0.192", "198.18.0.1", "224.0.0.1",
        "239.255.255.250", "255.255.255.255", "240.0.0.1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
        "::127.0.0.1", "::10.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::a00:1"}) {
      assertNotNull(policy.check("[" + local + "]", ips(local)), local + " must be denied");
    }
    assertNotNull(policy.check("metadata.google.internal.", ips("93.184.215.14")));
    for (String publicAddress : new String[] {"93.184.215.14", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946",
        "64:ff9b::808:808"}) {
      assertNull(policy.check("public", ips(publicAddress)), publicAddress + " must stay allowed");
    }
  }
}
