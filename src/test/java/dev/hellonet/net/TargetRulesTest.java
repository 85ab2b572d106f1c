package dev.hellonet.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing and matching of host, *.domain and range entries, as the crawler's allow and deny lists use them. */
class TargetRulesTest {
  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void keepsTheEntriesAsWrittenAndMatchesEachKind() throws Exception {
    TargetRules rules = TargetRules.parse(List.of(" Example.org ", "*.example.net", "10.0.0.0/8", "::1"), "k");

    assertEquals(List.of("Example.org", "*.example.net", "10.0.0.0/8", "::1"), rules.entries());
    assertEquals("Example.org", rules.hostRuleFor("example.org"));
    assertEquals("*.example.net", rules.hostRuleFor("a.b.example.net"));
    assertNull(rules.hostRuleFor("example.net"), "*.domain names subdomains, not the domain itself");
    assertEquals("10.0.0.0/8", rules.rangeRuleFor(ip("10.1.2.3")));
    assertEquals("::1", rules.rangeRuleFor(ip("::1")));
    assertNull(rules.rangeRuleFor(ip("192.0.2.1")));
    assertEquals("10.0.0.0/8", rules.firstMatch("public.example.com", List.of(ip("192.0.2.1"), ip("10.9.9.9"))),
        "a range matches when any resolved address is in it");
    assertNull(rules.firstMatch("other.org", List.of(ip("192.0.2.1"))));
  }

  @Test
  void malformedEntriesAreRefusedNamingKeyAndIndex() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TargetRules.parse(List.of("ok.org", "10.0.0.0/33"), "crawler.deny"));
    assertTrue(e.getMessage().startsWith("crawler.deny[1]: "), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TargetRules.parse(List.of("exa mple"), "crawler.allow"));
    assertTrue(e.getMessage().startsWith("crawler.allow[0]: not a host name"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TargetRules.parse(List.of("10.0.0.0/8,11.0.0.0/8"), "crawler.allow"));
    assertTrue(e.getMessage().contains("one range per entry"), e.getMessage());
  }

  @Test
  void aRangeOpensOnlyWhatLiesInsideAnotherRange() throws Exception {
    TargetRules allow = TargetRules.parse(List.of("0.0.0.0/0", "10.1.0.0/16", "example.org"), "k");
    CidrSet private10 = CidrSet.parse("10.0.0.0/8");
    assertEquals("10.1.0.0/16", allow.rangeRuleInside(ip("10.1.2.3"), private10));
    assertNull(allow.rangeRuleInside(ip("10.2.0.1"), private10), "0.0.0.0/0 contains it but is wider than 10/8");
    assertNull(allow.rangeRuleInside(ip("8.8.8.8"), private10));
    assertEquals("10.0.0.0/8", TargetRules.parse(List.of("10.0.0.0/8"), "k").rangeRuleInside(ip("10.9.9.9"),
        private10), "a range lies inside itself");
    assertEquals(private10.toString(), TargetRules.parse(List.of("10.0.0.0/8"), "k").rangeContaining(ip("10.1.1.1"))
        .toString());
    assertNull(allow.rangeContaining(ip("::1")));
  }

  @Test
  void noneIsEmpty() {
    assertTrue(TargetRules.none().isEmpty());
    assertTrue(TargetRules.parse(List.of(), "k").isEmpty());
  }
}
