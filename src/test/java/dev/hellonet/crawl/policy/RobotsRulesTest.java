package dev.hellonet.crawl.policy;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
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

  /** The pattern from issue 10: the backtracking matcher effectively never returned on it. */
  static final String CATASTROPHIC = "/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";

  @Test
  void wildcardMatchingIsLinearNotBacktracking() {
    String path = "/" + "a".repeat(60);
    RobotsRules rules = RobotsRules.parse("User-agent: *\nDisallow: " + CATASTROPHIC + "\n", "hellonet-crawler");
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertNull(rules.refusal(path));
      assertNotNull(rules.refusal(path + "b"));
      String longPath = "/" + "a".repeat(8_000);
      for (int i = 0; i < 100; i++) {
        assertNull(rules.refusal(longPath));
      }
    });
  }

  @Test
  void wildcardsAndAnchorsAgreeWithTheReference() {
    String[][] cases = {
        {"/", "/anything", "true"}, {"/a*c", "/abc", "true"}, {"/a*c", "/ab", "false"}, {"/a*c$", "/abcd", "false"},
        {"/a*c$", "/abcc", "true"}, {"/*.pdf$", "/x/y.pdf", "true"}, {"/*.pdf$", "/x/y.pdf?z", "false"},
        {"/**x", "/x", "true"}, {"*", "", "true"}, {"/$", "/", "true"}, {"/$", "/a", "false"},
        {"/fish*", "/fish.html", "true"}, {"/fish*", "/Fish", "false"}, {"/*/b$", "/a/b", "true"},
    };
    for (String[] c : cases) {
      assertEquals(Boolean.parseBoolean(c[2]), RobotsRules.matches(c[0], c[1]), c[0] + " vs " + c[1]);
    }
    // Paths across several 64-bit words, with the match ending exactly on a word boundary and past it.
    for (int len : new int[] {62, 63, 64, 65, 127, 128, 129, 200}) {
      String path = "/" + "x".repeat(len - 2) + "z";
      assertTrue(RobotsRules.matches("/*z$", path), "length " + len);
      assertTrue(RobotsRules.matches("/x*x*z$", path) == (len >= 4), "length " + len);
      assertFalse(RobotsRules.matches("/*y", path), "length " + len);
    }
  }

  @Test
  void overlongLinesAndRulesPastTheCapsAreIgnored() {
    StringBuilder text = new StringBuilder("User-agent: *\nDisallow: /" + "x".repeat(RobotsRules.MAX_LINE_CHARS) + "\n");
    for (int i = 0; i < RobotsRules.MAX_RULES; i++) {
      text.append("Disallow: /r").append(i).append('\n');
    }
    text.append("Disallow: /late\n");
    RobotsRules rules = RobotsRules.parse(text.toString(), "hellonet-crawler");
    assertNull(rules.refusal("/" + "x".repeat(RobotsRules.MAX_LINE_CHARS)), "the overlong line was ignored");
    assertNotNull(rules.refusal("/r0"));
    assertNotNull(rules.refusal("/r" + (RobotsRules.MAX_RULES - 1)));
    assertNull(rules.refusal("/late"), "rules past MAX_RULES are ignored");
  }

  @Test
  void crawlDelayComesFromTheGroupThatApplies() {
    String text = "User-agent: *\nCrawl-delay: 5\n\nUser-agent: hellonet-crawler\nCrawl-delay: 0.5\nDisallow: /x\n";
    assertEquals(500, RobotsRules.parse(text, "hellonet-crawler/0.1").crawlDelayMs());
    assertEquals(5_000, RobotsRules.parse(text, "other-bot/1.0").crawlDelayMs());
    assertEquals(0, RobotsRules.parse("User-agent: *\nDisallow: /x\n", "other-bot/1.0").crawlDelayMs());
  }

  @Test
  void aCrawlDelayThatIsNotANumberIsIgnored() {
    assertEquals(0, RobotsRules.parse("User-agent: *\nCrawl-delay: soon\n", "a/1").crawlDelayMs());
    assertEquals(0, RobotsRules.parse("User-agent: *\nCrawl-delay: -3\n", "a/1").crawlDelayMs());
    assertEquals(RobotsRules.MAX_CRAWL_DELAY_SECONDS * 1000,
        RobotsRules.parse("User-agent: *\nCrawl-delay: 99999999\n", "a/1").crawlDelayMs());
  }
}
