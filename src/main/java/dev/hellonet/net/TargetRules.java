package dev.hellonet.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed list of network targets: host names ({@code example.org}), domains with their subdomains
 * ({@code *.example.org}) and CIDR ranges or bare addresses ({@code 10.0.0.0/8}, {@code ::1}). The configuration parses
 * the crawler's allow and deny lists into these once; the crawler only matches.
 */
public final class TargetRules {
  private static final TargetRules NONE = new TargetRules(List.of());

  private final List<Rule> rules;

  private sealed interface Rule permits HostRule, CidrRule {
    String text();
  }

  private record HostRule(String text, String host, boolean wildcard) implements Rule {
    boolean matches(String name) {
      return wildcard ? name.endsWith("." + host) : name.equals(host);
    }
  }

  /** One range or address, matched by the same parser and matcher the connection allow-list uses. */
  private record CidrRule(String text, CidrSet range) implements Rule {}

  private TargetRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** No rules at all. */
  public static TargetRules none() {
    return NONE;
  }

  /**
   * Parses {@code entries}; a malformed one is refused naming {@code key} and its index ({@code crawler.allow[2]: ...}).
   */
  public static TargetRules parse(List<String> entries, String key) {
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      out.add(rule(entries.get(i).trim(), key + "[" + i + "]"));
    }
    return new TargetRules(out);
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** The entries as written (trimmed), in order. */
  public List<String> entries() {
    return rules.stream().map(Rule::text).toList();
  }

  /** The entry that names host {@code name} (lower case), or null. */
  public String hostRuleFor(String name) {
    for (Rule rule : rules) {
      if (rule instanceof HostRule h && h.matches(name)) {
        return h.text();
      }
    }
    return null;
  }

  /** The range entry that contains {@code address}, or null. */
  public String rangeRuleFor(InetAddress address) {
    for (Rule rule : rules) {
      if (rule instanceof CidrRule c && c.range().contains(address)) {
        return c.text();
      }
    }
    return null;
  }

  /** The range of the first range entry that contains {@code address}, or null. */
  public CidrSet rangeContaining(InetAddress address) {
    for (Rule rule : rules) {
      if (rule instanceof CidrRule c && c.range().contains(address)) {
        return c.range();
      }
    }
    return null;
  }

  /**
   * The range entry that contains {@code address} and lies wholly inside {@code outer}, or null. This is how an allow
   * entry opens a part of a range denied by default: {@code 10.1.0.0/16} opens that much of {@code 10.0.0.0/8}, while
   * a wide entry such as {@code 0.0.0.0/0} opens none of it.
   */
  public String rangeRuleInside(InetAddress address, CidrSet outer) {
    for (Rule rule : rules) {
      if (rule instanceof CidrRule c && c.range().contains(address) && c.range().within(outer)) {
        return c.text();
      }
    }
    return null;
  }

  /** The first entry that names host {@code name} (lower case) or contains one of {@code addresses}, or null. */
  public String firstMatch(String name, List<InetAddress> addresses) {
    for (Rule rule : rules) {
      if (rule instanceof HostRule h ? h.matches(name) : containsAny((CidrRule) rule, addresses)) {
        return rule.text();
      }
    }
    return null;
  }

  private static boolean containsAny(CidrRule rule, List<InetAddress> addresses) {
    for (InetAddress a : addresses) {
      if (rule.range().contains(a)) {
        return true;
      }
    }
    return false;
  }

  private static Rule rule(String text, String key) {
    if (text.contains("/") || looksLikeAddress(text)) {
      if (text.contains(",")) { // CidrSet reads commas as a list; here every entry is one range
        throw new IllegalArgumentException(key + ": one range per entry: \"" + text + "\"");
      }
      try {
        return new CidrRule(text, CidrSet.parse(text));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage());
      }
    }
    String host = text.toLowerCase(Locale.ROOT);
    boolean wildcard = host.startsWith("*.");
    if (wildcard) {
      host = host.substring(2);
    }
    if (host.isEmpty() || !host.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
      throw new IllegalArgumentException(key + ": not a host name, *.domain or CIDR range: \"" + text + "\"");
    }
    return new HostRule(text, host, wildcard);
  }

  private static boolean looksLikeAddress(String s) {
    return s.contains(":") || s.matches("[0-9.]+");
  }

  @Override
  public String toString() {
    return String.join(",", entries());
  }
}
