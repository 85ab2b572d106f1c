package dev.hellonet.crawl.policy;

import dev.hellonet.guard.CidrSet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides which targets the crawler may connect to, from the configured allow and deny lists of host names
 * ({@code example.org}, {@code *.example.org}) and CIDR ranges. Ranges are checked against the addresses a host
 * resolves to, so a public name pointing at a private address is caught, and against the IPv4 address behind IPv6
 * forms and the local host behind unspecified addresses ({@link #meanings}); deny wins over allow, and an empty allow
 * list allows whatever deny does not name.
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
  public String check(String host, List<InetAddress> resolved) {
    String name = hostName(host);
    List<InetAddress> addresses = new ArrayList<>();
    for (InetAddress a : resolved) {
      addresses.addAll(meanings(a));
    }
    for (Rule rule : deny) {
      if (matches(rule, name, addresses)) {
        return "target " + host + " " + resolved.stream().map(InetAddress::getHostAddress).toList()
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
    for (InetAddress address : resolved) {
      boolean allowed = false;
      for (InetAddress meaning : meanings(address)) {
        for (Rule rule : allow) {
          allowed |= rule instanceof CidrRule c && c.matches(meaning);
        }
      }
      if (!allowed) {
        return "target " + host + " (" + address.getHostAddress() + ") is not in crawler.allow";
      }
    }
    return null;
  }

  /**
   * The deny list's verdict on a name alone, before it is resolved (no DNS query for a denied name): null, or why
   * not. {@link #check} still has the last word.
   */
  public String checkName(String host) {
    String name = hostName(host);
    for (Rule rule : deny) {
      if (rule instanceof HostRule h && h.matches(name)) {
        return "target " + host + " is denied by crawler.deny entry " + rule.text();
      }
    }
    return null;
  }

  /**
   * A host name as rules compare it: lower case, without the trailing dot(s) of a fully qualified name, so that
   * {@code internal.corp.} cannot slip past a rule for {@code internal.corp} or {@code *.corp}.
   */
  static String hostName(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    int end = name.length();
    while (end > 0 && name.charAt(end - 1) == '.') {
      end--;
    }
    return name.substring(0, end);
  }

  /**
   * Every address a connection to {@code address} may really reach, which the lists are checked against: the address
   * itself, and the IPv4 address behind the IPv6 forms that carry one (IPv4-mapped {@code ::ffff:a.b.c.d}, which
   * Java already reports as IPv4; IPv4-compatible {@code ::a.b.c.d}; NAT64 {@code 64:ff9b::a.b.c.d}). The unspecified
   * addresses {@code 0.0.0.0} and {@code ::} reach the local host, so they also mean {@code 127.0.0.1} and
   * {@code ::1}, and {@code ::} means {@code 0.0.0.0}.
   */
  static List<InetAddress> meanings(InetAddress address) {
    byte[] b = address.getAddress();
    List<InetAddress> out = new ArrayList<>(List.of(address));
    if (address instanceof Inet4Address) {
      if (isZero(b, 0, 4)) {
        out.add(v4(127, 0, 0, 1));
        out.add(v6Loopback());
      }
      return out;
    }
    if (isZero(b, 0, 16)) {
      out.add(v4(0, 0, 0, 0));
      out.add(v4(127, 0, 0, 1));
      out.add(v6Loopback());
      return out;
    }
    boolean compatible = isZero(b, 0, 12) && !(isZero(b, 12, 15) && b[15] == 1); // ::a.b.c.d, but not ::1
    boolean mapped = isZero(b, 0, 10) && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && isZero(b, 4, 12);
    if (compatible || mapped || nat64) {
      for (InetAddress inner : meanings(v4(b[12], b[13], b[14], b[15]))) {
        out.add(inner);
      }
    }
    return out;
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static InetAddress v4(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }

  private static InetAddress v6Loopback() {
    byte[] b = new byte[16];
    b[15] = 1;
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
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
