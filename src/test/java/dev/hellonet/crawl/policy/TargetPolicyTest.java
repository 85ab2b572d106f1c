package dev.hellonet.crawl.policy;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Allow and deny lists of hosts and CIDR ranges and the built-in default deny, checked against resolved addresses. */
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
  void emptyListsAllowPublicTargetsOnly() throws Exception {
    TargetPolicy policy = TargetPolicy.publicTargets();
    assertNull(policy.check("example.org", ips("93.184.215.14")));
    String reason = policy.check("localhost", ips("127.0.0.1"));
    assertNotNull(reason, "loopback is denied by default");
    assertTrue(reason.contains("127.0.0.0/8") && reason.contains("crawler.allow"), reason);
    assertNotNull(policy.check("innocent.example.org", ips("93.184.215.14", "10.1.2.3")));
    assertNotNull(policy.check("metadata.google.internal", ips("93.184.215.14")), "the metadata name, wherever it points");
    assertNotNull(policy.checkName("Metadata.Google.Internal."), "refused before any DNS query");
    assertNull(policy.checkName("example.org"));
  }

  @Test
  void anAllowedRangeOpensThatMuchOfTheDefaultDenyAndDenyStillWins() throws Exception {
    TargetPolicy loopback = new TargetPolicy(List.of("127.0.0.0/8", "::1/128"), List.of());
    assertNull(loopback.check("localhost", ips("127.0.0.1", "::1")));
    assertNotNull(loopback.check("0.0.0.0", ips("0.0.0.0")), "0.0.0.0/8 is not opened by naming loopback");
    assertNotNull(loopback.check("example.org", ips("93.184.215.14")), "a non-empty allow list admits only what it names");

    TargetPolicy v4Only = new TargetPolicy(List.of("127.0.0.0/8"), List.of());
    assertNotNull(v4Only.check("localhost", ips("127.0.0.1", "::1")), "every address must pass; ::1 is not opened");

    TargetPolicy publicAndOneSubnet = new TargetPolicy(List.of("0.0.0.0/0", "::/0", "10.1.0.0/16"), List.of());
    assertNull(publicAndOneSubnet.check("intranet", ips("10.1.2.3")));
    assertNull(publicAndOneSubnet.check("public", ips("8.8.8.8")));
    String wide = publicAndOneSubnet.check("other", ips("10.2.0.1"));
    assertNotNull(wide, "0.0.0.0/0 is wider than 10.0.0.0/8, so it opens none of it");
    assertTrue(wide.contains("10.0.0.0/8"), wide);
    assertNotNull(publicAndOneSubnet.check("lo", ips("::1")));
    assertNotNull(publicAndOneSubnet.check("metadata", ips("169.254.169.254")));

    TargetPolicy denied = new TargetPolicy(List.of("127.0.0.0/8"), List.of("127.0.0.1"));
    String reason = denied.check("localhost", ips("127.0.0.1"));
    assertTrue(reason != null && reason.contains("crawler.deny"), "crawler.deny wins over crawler.allow: " + reason);
    assertNull(denied.check("other", ips("127.0.0.2")));

    TargetPolicy byName = new TargetPolicy(List.of("localhost"), List.of());
    assertNotNull(byName.check("localhost", ips("127.0.0.1")), "a host name never opens the default deny");
    assertNotNull(new TargetPolicy(List.of("169.254.0.0/16"), List.of()).check("metadata.google.internal",
        ips("169.254.169.254")), "the metadata name stays denied");
    assertNull(new TargetPolicy(List.of("169.254.0.0/16"), List.of()).check("link", ips("169.254.1.1")));
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
  void theDefaultDenyIsTheListTheDocsGiveAndRefusesEveryLocalPrivateAndMetadataRange() throws Exception {
    String docs = java.nio.file.Files.readString(java.nio.file.Path.of("docs/crawler.md"));
    int at = docs.indexOf("<!-- default-deny -->");
    String block = docs.substring(docs.indexOf("```json", at) + 7, docs.indexOf("```", docs.indexOf("```json", at) + 7));
    io.vertx.core.json.JsonArray deny = new io.vertx.core.json.JsonObject("{" + block + "}")
        .getJsonObject("crawler").getJsonArray("deny");
    List<String> entries = deny.stream().map(String::valueOf).toList();
    assertEquals(TargetPolicy.DEFAULT_DENY, entries, "docs/crawler.md lists the built-in default deny");
    List<String> k8s = new io.vertx.core.json.JsonObject(java.nio.file.Files.readString(
        java.nio.file.Path.of("k8s/config.json"))).getJsonObject("crawler").getJsonArray("deny").stream()
        .map(String::valueOf).toList();
    assertTrue(k8s.containsAll(TargetPolicy.DEFAULT_DENY), "k8s/config.json denies the full list explicitly: " + k8s);
    for (TargetPolicy policy : new TargetPolicy[] {TargetPolicy.publicTargets(), new TargetPolicy(List.of(), entries),
        new TargetPolicy(List.of("0.0.0.0/0", "::/0"), List.of())}) {
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
}
