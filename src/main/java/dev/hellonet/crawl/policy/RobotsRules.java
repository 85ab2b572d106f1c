package dev.hellonet.crawl.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The robots.txt rules (RFC 9309) that apply to one user agent on one host: the group naming the agent's product
 * token, else the {@code *} group; the longest matching rule wins and Allow wins a tie; {@code *} and {@code $} work
 * as wildcards.
 *
 * <p>Bounded by construction, as the file is untrusted: a pattern is matched the way Google's open-source robots.txt
 * parser does it (the set of path positions the pattern can have reached so far, advanced one pattern character at a
 * time), with the set held as a bit set, so one match costs O(pattern length x path length / 64) and never
 * backtracks. Lines longer than {@link #MAX_LINE_CHARS} are ignored, and at most {@link #MAX_RULES} rules and
 * {@link #MAX_PATTERN_CHARS} pattern characters are kept (the first ones, top to bottom).
 */
public final class RobotsRules {
  /** Longest robots.txt line read; longer lines (no real rule is this long) are ignored. */
  public static final int MAX_LINE_CHARS = 2_048;
  /** Most rules kept per file; later ones are ignored. */
  public static final int MAX_RULES = 1_000;
  /** Most pattern characters kept per file, which bounds the cost of one check to a few milliseconds. */
  public static final int MAX_PATTERN_CHARS = 32 * 1024;
  /** The longest Crawl-delay read, in seconds; the node's crawler.maxCrawlDelayMs caps what is honoured. */
  static final long MAX_CRAWL_DELAY_SECONDS = 86_400;
  private static final RobotsRules ALLOW_ALL = new RobotsRules(List.of(), null, 0);

  private final List<Rule> rules;
  private final String blanketReason;
  private final long crawlDelayMs;

  private record Rule(String pattern, boolean allow) {}

  private RobotsRules(List<Rule> rules, String blanketReason, long crawlDelayMs) {
    this.rules = rules;
    this.blanketReason = blanketReason;
    this.crawlDelayMs = crawlDelayMs;
  }

  /** The {@code Crawl-delay} of the group that applies, in milliseconds; 0 when it names none. */
  public long crawlDelayMs() {
    return crawlDelayMs;
  }

  /** No restrictions (robots.txt absent, or not honoured). */
  public static RobotsRules allowAll() {
    return ALLOW_ALL;
  }

  /** Everything refused, with the reason reported on each skipped page (e.g. robots.txt answered 503). */
  public static RobotsRules disallowAll(String reason) {
    return new RobotsRules(List.of(), reason, 0);
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
    int kept = 0;
    int keptChars = 0;
    long mineDelay = -1;
    long starDelay = -1;
    for (String raw : text.split("\r\n|\r|\n")) {
      if (raw.length() > MAX_LINE_CHARS) {
        continue;
      }
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
          if (agents.isEmpty() || kept >= MAX_RULES || keptChars + value.length() > MAX_PATTERN_CHARS) {
            continue;
          }
          kept++;
          keptChars += value.length();
          Rule rule = new Rule(value, key.equals("allow"));
          if (agents.contains(token) && !value.isEmpty()) {
            mine.add(rule);
          }
          if (agents.contains("*") && !value.isEmpty()) {
            star.add(rule);
          }
        }
        case "crawl-delay" -> {
          inRules = true;
          long ms = crawlDelay(value);
          if (ms >= 0 && agents.contains(token)) {
            mineDelay = ms;
          }
          if (ms >= 0 && agents.contains("*")) {
            starDelay = ms;
          }
        }
        default -> { }
      }
    }
    return new RobotsRules(List.copyOf(foundMine ? mine : star), null, Math.max(0, foundMine ? mineDelay : starDelay));
  }

  /** A Crawl-delay value (seconds, a decimal fraction allowed) in milliseconds; -1 when it is not a number. */
  static long crawlDelay(String value) {
    if (value.isEmpty() || value.length() > 16 || !value.matches("[0-9]+(\\.[0-9]+)?")) {
      return -1;
    }
    double seconds = Math.min(Double.parseDouble(value), MAX_CRAWL_DELAY_SECONDS);
    return Math.round(seconds * 1000);
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

  /** Whether a check may cost more than a prefix comparison per rule (some rule has a wildcard). */
  public boolean hasWildcards() {
    for (Rule rule : rules) {
      if (rule.pattern().indexOf('*') >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Null when {@code pathAndQuery} may be fetched, otherwise why not. */
  public String refusal(String pathAndQuery) {
    if (blanketReason != null) {
      return blanketReason;
    }
    Rule best = null;
    PathBits path = new PathBits(pathAndQuery);
    for (Rule rule : rules) {
      if (matches(rule.pattern(), path)) {
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
    return matches(pattern, new PathBits(path));
  }

  /**
   * Google's algorithm: {@code reached} holds every path position the pattern read so far can end at; a literal
   * keeps the positions followed by that character (moved one on), a {@code *} adds every position from the first
   * onwards. With positions as bits, a literal is one AND and one shift per 64 positions.
   */
  private static boolean matches(String pattern, PathBits path) {
    boolean anchored = pattern.endsWith("$");
    int patternEnd = anchored ? pattern.length() - 1 : pattern.length();
    int n = path.length;
    long[] reached = new long[path.words]; // bit i: the pattern so far can match path[0, i)
    reached[0] = 1L;
    for (int pi = 0; pi < patternEnd; pi++) {
      char c = pattern.charAt(pi);
      if (c == '*') {
        int w = 0;
        while (reached[w] == 0) {
          w++;
        }
        int lowest = (w << 6) + Long.numberOfTrailingZeros(reached[w]);
        for (int i = lowest; i <= n; i++) {
          if ((i & 63) == 0 && i + 63 <= n) {
            reached[i >> 6] = -1L;
            i += 63;
          } else {
            reached[i >> 6] |= 1L << i;
          }
        }
        continue;
      }
      long[] mask = path.mask(c);
      long carry = 0;
      boolean any = false;
      for (int w = 0; w < reached.length; w++) {
        long kept = reached[w] & mask[w];
        reached[w] = (kept << 1) | carry;
        carry = kept >>> 63;
        any |= reached[w] != 0;
      }
      if (!any) {
        return false;
      }
    }
    return !anchored || (reached[n >> 6] & (1L << n)) != 0;
  }

  /** A path with, per character asked about, the bit set of the positions holding it. */
  private static final class PathBits {
    final String path;
    final int length;
    final int words;
    private final Map<Character, long[]> masks = new HashMap<>();

    PathBits(String path) {
      this.path = path;
      this.length = path.length();
      this.words = (length >> 6) + 1;
    }

    long[] mask(char c) {
      return masks.computeIfAbsent(c, k -> {
        long[] bits = new long[words];
        for (int i = path.indexOf(k); i >= 0; i = path.indexOf(k, i + 1)) {
          bits[i >> 6] |= 1L << i;
        }
        return bits;
      });
    }
  }
}
