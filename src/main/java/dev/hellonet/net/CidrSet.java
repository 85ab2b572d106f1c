package dev.hellonet.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable set of IPv4 and IPv6 ranges ({@code 10.0.0.0/8}, {@code ::1/128}, or a bare address), parsed from a
 * comma-separated string (the configuration's list, joined).
 *
 * <p>Checked once per accepted connection with a linear scan: allow-lists hold a handful of health checkers and load
 * balancers, for which a scan beats any index.
 */
public final class CidrSet {
  private static final CidrSet EMPTY = new CidrSet(List.of(), "");

  private final List<Range> ranges;
  private final String text;

  private record Range(byte[] network, int prefixBits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefixBits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }

    /** True if every address of {@code inner} is in this range. */
    boolean covers(Range inner) {
      return inner.prefixBits >= prefixBits && contains(inner.network);
    }
  }

  private CidrSet(List<Range> ranges, String text) {
    this.ranges = ranges;
    this.text = text;
  }

  /** Parses {@code "a.b.c.d/n, x:y::/n, a.b.c.d"}; blank means empty. Throws naming the bad entry. */
  public static CidrSet parse(String list) {
    if (list == null || list.isBlank()) {
      return EMPTY;
    }
    List<Range> ranges = new ArrayList<>();
    List<String> canonical = new ArrayList<>();
    for (String raw : list.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      String host = slash < 0 ? entry : entry.substring(0, slash);
      byte[] address = literal(host, entry);
      int bits = address.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("\"" + entry + "\": the prefix length after / must be a number");
        }
        if (bits < 0 || bits > address.length * 8) {
          throw new IllegalArgumentException("\"" + entry + "\": prefix length must be between 0 and "
              + address.length * 8);
        }
      }
      ranges.add(new Range(address, bits));
      canonical.add(host + "/" + bits);
    }
    return new CidrSet(List.copyOf(ranges), String.join(",", canonical));
  }

  /** Only numeric literals: a name would need DNS, which must not happen while parsing configuration. */
  private static byte[] literal(String host, String entry) {
    boolean v4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      throw new IllegalArgumentException("\"" + entry + "\" is not an IPv4 or IPv6 address or range");
    }
    if (v4) {
      for (String part : host.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          throw new IllegalArgumentException("\"" + entry + "\" is not an IPv4 address (" + part + " > 255)");
        }
      }
    }
    try {
      return canonicalBytes(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + entry + "\" is not an IPv4 or IPv6 address or range");
    }
  }

  /** The address as 4 bytes for IPv4 (including IPv4-mapped IPv6, which is how dual-stack sockets report it). */
  public static byte[] canonicalBytes(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet6Address && isV4Mapped(b)) {
      byte[] v4 = new byte[4];
      System.arraycopy(b, 12, v4, 0, 4);
      return v4;
    }
    return b;
  }

  static boolean isV4Mapped(byte[] b) {
    if (b.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  public boolean contains(InetAddress address) {
    if (ranges.isEmpty()) {
      return false;
    }
    byte[] b = address instanceof Inet4Address ? address.getAddress() : canonicalBytes(address);
    for (Range r : ranges) {
      if (r.contains(b)) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /**
   * True if every range of this set lies wholly inside some range of {@code outer} (an empty set is inside anything):
   * {@code 10.1.0.0/16} is within {@code 10.0.0.0/8}, {@code 0.0.0.0/0} is not.
   */
  public boolean within(CidrSet outer) {
    for (Range r : ranges) {
      boolean inside = false;
      for (Range o : outer.ranges) {
        inside |= o.covers(r);
      }
      if (!inside) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
