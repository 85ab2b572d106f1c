package dev.hellonet.crawl.policy;

import dev.hellonet.net.CidrSet;
import dev.hellonet.net.TargetRules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides which targets the crawler may connect to, from the configured allow and deny lists of host names
 * ({@code example.org}, {@code *.example.org}) and CIDR ranges, on top of a built-in deny of what no public crawl needs
 * ({@link #DEFAULT_DENY}: loopback, private, link-local, unique-local, multicast, reserved and cloud metadata). Ranges
 * are checked against the addresses a host resolves to, so a public name pointing at a private address is caught, and
 * against the IPv4 address behind IPv6 forms and the local host behind unspecified addresses ({@link #meanings}).
 * {@code crawler.deny} wins over everything; a non-empty {@code crawler.allow} admits only what it names; and a range
 * in {@code crawler.allow} that lies inside a default-denied range opens that part of it on purpose.
 */
public final class TargetPolicy {
  /**
   * Denied unless {@code crawler.allow} names a range inside them: this host and "this network", private networks,
   * carrier-grade NAT (Alibaba Cloud's metadata), link-local (the AWS, GCP, Azure and Oracle metadata address),
   * IETF assignments, benchmarking, multicast, reserved and broadcast, unique-local and site-local IPv6 (AWS's IPv6
   * metadata), local-use NAT64, and GCP's metadata name. docs/crawler.md lists the same, with what each range is.
   */
  public static final List<String> DEFAULT_DENY = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
      "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4",
      "240.0.0.0/4", "::/128", "::1/128", "64:ff9b:1::/48", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
      "metadata.google.internal");
  private static final TargetRules BUILT_IN = TargetRules.parse(DEFAULT_DENY, "the crawler's default deny");

  private final TargetRules allow;
  private final TargetRules deny;

  /** A policy from rules the configuration has already parsed. */
  public TargetPolicy(TargetRules allow, TargetRules deny) {
    this.allow = allow;
    this.deny = deny;
  }

  /** Parses the lists here; a malformed entry is refused naming the key ({@code crawler.allow[2]}). */
  public TargetPolicy(List<String> allow, List<String> deny) {
    this(TargetRules.parse(allow, "crawler.allow"), TargetRules.parse(deny, "crawler.deny"));
  }

  /** Empty lists: every public target, nothing the default deny names. */
  public static TargetPolicy publicTargets() {
    return new TargetPolicy(TargetRules.none(), TargetRules.none());
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
    String denied = deny.firstMatch(name, addresses);
    if (denied != null) {
      return "target " + host + " " + resolved.stream().map(InetAddress::getHostAddress).toList()
          + " is denied by crawler.deny entry " + denied;
    }
    String byName = BUILT_IN.hostRuleFor(name);
    if (byName != null) {
      return "target " + host + " is denied by default (" + byName + ", a cloud metadata name)";
    }
    if (!allow.isEmpty() && allow.hostRuleFor(name) == null) {
      for (InetAddress address : resolved) {
        boolean allowed = false;
        for (InetAddress meaning : meanings(address)) {
          allowed |= allow.rangeRuleFor(meaning) != null;
        }
        if (!allowed) {
          return "target " + host + " (" + address.getHostAddress() + ") is not in crawler.allow";
        }
      }
    }
    // Only a range opens the default deny, never a host name: a name's DNS answer can change under the crawler.
    for (InetAddress address : resolved) {
      for (InetAddress meaning : meanings(address)) {
        CidrSet range = BUILT_IN.rangeContaining(meaning);
        if (range != null && allow.rangeRuleInside(meaning, range) == null) {
          return "target " + host + " (" + address.getHostAddress() + ") is in " + range + ", which the crawler "
              + "denies by default (loopback, private, link-local, multicast, reserved and metadata ranges); to crawl "
              + "it on purpose, name it or a range inside it in crawler.allow";
        }
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
    String denied = deny.hostRuleFor(name);
    if (denied != null) {
      return "target " + host + " is denied by crawler.deny entry " + denied;
    }
    String byName = BUILT_IN.hostRuleFor(name);
    return byName == null ? null : "target " + host + " is denied by default (" + byName + ", a cloud metadata name)";
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
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }

  private static InetAddress v6Loopback() {
    byte[] b = new byte[16];
    b[15] = 1;
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
