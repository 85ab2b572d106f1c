package dev.hellonet.crawl.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The robots.txt rules (RFC 9309) that apply to one user agent on one host: the group naming the agent's product
 * token, else the {@code *} group; the longest matching rule wins and Allow wins a tie; {@code *} and {@code $} work
 * as wildcards.
 */
public final class RobotsRules {
  private static final RobotsRules ALLOW_ALL = new RobotsRules(List.of(), null);

  private final List<Rule> rules;
  private final String blanketReason;

  private record Rule(String pattern, boolean allow) {}

  private RobotsRules(List<Rule> rules, String blanketReason) {
    this.rules = rules;
    this.blanketReason = blanketReason;
  }

  /** No restrictions (robots.txt absent, or not honoured). */
  public static RobotsRules allowAll() {
    return ALLOW_ALL;
  }

  /** Everything refused, with the reason reported on each skipped page (e.g. robots.txt answered 503). */
  public static RobotsRules disallowAll(String reason) {
    return new RobotsRules(List.of(), reason);
  }

  /** Parses robots.txt text for the agent whose User-Agent header is {@code userAgent}. */
  public static RobotsRules parse(String text, String userAgent) {
    String token = productToken(userAgent);
    List<Rule> mine = new ArrayList<>();
    List<Rule> star = new ArrayList<>();
    boolean foundMine = false;
    // A group is one or more user-agent lines followed by rules; a user-agent line after a rule opens a new group.
    List<String> agents = new ArrayList<>();
    boolean inRules = false;
    for (String raw : text.split("\r\n|\r|\n")) {
      int hash = raw.indexOf('#');
      String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (key) {
        case "user-agent" -> {
          if (inRules) {
            agents.clear();
            inRules = false;
          }
          agents.add(value.toLowerCase(Locale.ROOT));
          foundMine |= value.equalsIgnoreCase(token);
        }
        case "allow", "disallow" -> {
          inRules = true;
          if (agents.isEmpty()) {
            continue;
          }
          Rule rule = new Rule(value, key.equals("allow"));
          if (agents.contains(token) && !value.isEmpty()) {
            mine.add(rule);
          }
          if (agents.contains("*") && !value.isEmpty()) {
            star.add(rule);
          }
        }
        default -> { }
      }
    }
    return new RobotsRules(List.copyOf(foundMine ? mine : star), null);
  }

  /** The lower-cased product token of a User-Agent: {@code hellonet-crawler} for {@code hellonet-crawler/0.1 (...)}. */
  static String productToken(String userAgent) {
    String t = userAgent.trim();
    int end = 0;
    while (end < t.length() && (Character.isLetterOrDigit(t.charAt(end)) || t.charAt(end) == '-' || t.charAt(end) == '_')) {
      end++;
    }
    return t.substring(0, end).toLowerCase(Locale.ROOT);
  }

  /** Null when {@code pathAndQuery} may be fetched, otherwise why not. */
  public String refusal(String pathAndQuery) {
    if (blanketReason != null) {
      return blanketReason;
    }
    Rule best = null;
    for (Rule rule : rules) {
      if (matches(rule.pattern(), pathAndQuery)) {
        if (best == null || rule.pattern().length() > best.pattern().length()
            || (rule.pattern().length() == best.pattern().length() && rule.allow() && !best.allow())) {
          best = rule;
        }
      }
    }
    return best == null || best.allow() ? null : "disallowed by robots.txt (Disallow: " + best.pattern() + ")";
  }

  /** Matches a robots path pattern: {@code *} is any run of characters, a final {@code $} anchors the end. */
  static boolean matches(String pattern, String path) {
    boolean anchored = pattern.endsWith("$");
    String p = anchored ? pattern.substring(0, pattern.length() - 1) : pattern;
    return match(p, 0, path, 0, anchored);
  }

  private static boolean match(String p, int pi, String s, int si, boolean anchored) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        while (pi < p.length() && p.charAt(pi) == '*') {
          pi++;
        }
        if (pi == p.length()) {
          return true;
        }
        for (int k = si; k <= s.length(); k++) {
          if (match(p, pi, s, k, anchored)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length() || s.charAt(si) != c) {
        return false;
      }
      pi++;
      si++;
    }
    return !anchored || si == s.length();
  }
}
