package dev.hellonet.crawl;

import dev.hellonet.net.TargetRules;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;

/**
 * Decides which targets the crawler may connect to, from the configured allow and deny lists of host names
 * ({@code example.org}, {@code *.example.org}) and CIDR ranges. Ranges are checked against the addresses a host
 * resolves to, so a public name pointing at a private address is caught; deny wins over allow, and an empty allow list
 * allows whatever deny does not name.
 */
public final class TargetPolicy {
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

  /** Everything allowed: the local default. */
  public static TargetPolicy allowAll() {
    return new TargetPolicy(TargetRules.none(), TargetRules.none());
  }

  /**
   * Null when {@code host}, resolved to {@code addresses}, may be crawled; otherwise the reason it may not. Every
   * address must pass, so that a name resolving to one public and one private address is refused.
   */
  public String check(String host, List<InetAddress> addresses) {
    String name = host.toLowerCase(Locale.ROOT);
    String denied = deny.firstMatch(name, addresses);
    if (denied != null) {
      return "target " + host + " " + addresses.stream().map(InetAddress::getHostAddress).toList()
          + " is denied by crawler.deny entry " + denied;
    }
    if (allow.isEmpty() || allow.hostRuleFor(name) != null) {
      return null;
    }
    for (InetAddress address : addresses) {
      if (allow.rangeRuleFor(address) == null) {
        return "target " + host + " (" + address.getHostAddress() + ") is not in crawler.allow";
      }
    }
    return null;
  }
}
