package dev.hellonet.crawl;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
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

  private record CidrRule(String text, byte[] network, int bits) implements Rule {
    boolean matches(InetAddress address) {
      byte[] a = canonical(address).getAddress();
      if (a.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
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
    if (text.contains("/")) {
      String[] parts = text.split("/", -1);
      if (parts.length != 2 || !looksLikeAddress(parts[0])) {
        throw new IllegalArgumentException(key + ": not a CIDR range: \"" + text + "\"");
      }
      InetAddress network = literal(parts[0], key, text);
      int max = network.getAddress().length * 8;
      int bits;
      try {
        bits = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > max) {
        throw new IllegalArgumentException(key + ": prefix length must be 0.." + max + " in \"" + text + "\"");
      }
      return new CidrRule(text, network.getAddress(), bits);
    }
    if (looksLikeAddress(text)) {
      InetAddress a = literal(text, key, text);
      return new CidrRule(text, a.getAddress(), a.getAddress().length * 8);
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

  private static InetAddress literal(String s, String key, String text) {
    if (!s.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException(key + ": not an IP address in \"" + text + "\"");
    }
    try {
      // Only literals reach here, so this never does a DNS lookup.
      return canonical(InetAddress.getByName(s));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(key + ": not an IP address in \"" + text + "\"");
    }
  }

  /** IPv4-mapped IPv6 addresses ({@code ::ffff:10.0.0.1}) are checked as the IPv4 address they carry. */
  static InetAddress canonical(InetAddress a) {
    if (a instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
        try {
          return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return a;
  }
}
