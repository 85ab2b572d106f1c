package dev.hellonet.crawl.policy;

import dev.hellonet.guard.CidrSet;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides which targets the crawler may connect to, from the configured allow and deny lists of host names
 * ({@code example.org}, {@code *.example.org}) and CIDR ranges. Ranges are checked against the addresses a host
 * resolves to, so a public name pointing at a private address is caught; deny wins over allow, and an empty allow list
 * allows whatever deny does not name.
 */
public final class TargetPolicy {
  private final List<Rule> allow;
  private final List<Rule> deny;

  private sealed interface Rule permits HostRule, CidrRule {
    String text();
  }

  private record HostRule(String text, String host, boolean wildcard) implements Rule {
    boolean matches(String name) {
      return wildcard ? name.endsWith("." + host) : name.equals(host);
    }
  }

  /** One range or address, matched by the same parser and matcher the connection allow-list uses. */
  private record CidrRule(String text, CidrSet range) implements Rule {
    boolean matches(InetAddress address) {
      return range.contains(address);
    }
  }

  /** Builds a policy; a malformed entry is refused naming the key ({@code crawler.allow[2]}). */
  public TargetPolicy(List<String> allow, List<String> deny) {
    this.allow = rules(allow, "crawler.allow");
    this.deny = rules(deny, "crawler.deny");
  }

  /** Everything allowed: the local default. */
  public static TargetPolicy allowAll() {
    return new TargetPolicy(List.of(), List.of());
  }

  /**
   * Null when {@code host}, resolved to {@code addresses}, may be crawled; otherwise the reason it may not. Every
   * address must pass, so that a name resolving to one public and one private address is refused.
   */
  public String check(String host, List<InetAddress> addresses) {
    String name = host.toLowerCase(Locale.ROOT);
    for (Rule rule : deny) {
      if (matches(rule, name, addresses)) {
        return "target " + host + " " + addresses.stream().map(InetAddress::getHostAddress).toList()
            + " is denied by crawler.deny entry " + rule.text();
      }
    }
    if (allow.isEmpty()) {
      return null;
    }
    for (Rule rule : allow) {
      if (rule instanceof HostRule h && h.matches(name)) {
        return null;
      }
    }
    for (InetAddress address : addresses) {
      boolean allowed = false;
      for (Rule rule : allow) {
        if (rule instanceof CidrRule c && c.matches(address)) {
          allowed = true;
          break;
        }
      }
      if (!allowed) {
        return "target " + host + " (" + address.getHostAddress() + ") is not in crawler.allow";
      }
    }
    return null;
  }

  private static boolean matches(Rule rule, String name, List<InetAddress> addresses) {
    if (rule instanceof HostRule h) {
      return h.matches(name);
    }
    CidrRule c = (CidrRule) rule;
    for (InetAddress a : addresses) {
      if (c.matches(a)) {
        return true;
      }
    }
    return false;
  }

  private static List<Rule> rules(List<String> entries, String key) {
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      out.add(rule(entries.get(i).trim(), key + "[" + i + "]"));
    }
    return List.copyOf(out);
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
}
