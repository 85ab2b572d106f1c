package dev.hellonet.crawl.policy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** robots.txt groups, longest match, Allow on ties, wildcards. */
class RobotsRulesTest {
  private static final String ROBOTS = """
      # comments are ignored
      User-agent: *
      Disallow: /private/
      Allow: /private/open
      Disallow: /*.pdf$

      User-agent: hellonet-crawler
      User-agent: other
      Disallow: /only-for-us
      """;

  @Test
  void theGroupNamingOurProductTokenWins() {
    RobotsRules ours = RobotsRules.parse(ROBOTS, "hellonet-crawler/0.1 (+https://hellonet.dev)");
    assertNotNull(ours.refusal("/only-for-us/x"));
    assertNull(ours.refusal("/private/x"), "the * group does not apply once a group names us");
  }

  @Test
  void otherAgentsUseTheStarGroup() {
    RobotsRules star = RobotsRules.parse(ROBOTS, "somebot/2");
    assertNotNull(star.refusal("/private/x"));
    assertNull(star.refusal("/private/open/x"), "longer Allow beats shorter Disallow");
    assertNotNull(star.refusal("/docs/a.pdf"));
    assertNull(star.refusal("/docs/a.pdf?download=1"), "$ anchors the end");
    assertNull(star.refusal("/only-for-us"));
    assertTrue(star.refusal("/private/").contains("Disallow: /private/"));
  }

  @Test
  void emptyDisallowAndBlanketRules() {
    assertNull(RobotsRules.parse("User-agent: *\nDisallow:\n", "x").refusal("/anything"));
    assertNull(RobotsRules.allowAll().refusal("/"));
    assertNotNull(RobotsRules.parse("User-agent: *\nDisallow: /\n", "x").refusal("/a"));
    assertTrue(RobotsRules.disallowAll("robots.txt answered 503").refusal("/a").contains("503"));
  }

  @Test
  void wildcardMatching() {
    assertTrue(RobotsRules.matches("/a*b", "/axxb/c"));
    assertTrue(RobotsRules.matches("/a*b$", "/axxb"));
    assertTrue(!RobotsRules.matches("/a*b$", "/axxbc"));
    assertTrue(RobotsRules.matches("*", "/anything"));
  }
}
