package dev.hellonet.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Whether a configured bind host is loopback, decided without DNS (configuration is read before anything may wait on
 * the network): {@code localhost}, or a numeric address in 127.0.0.0/8 or {@code ::1}. Any other name counts as not
 * loopback, since only a lookup could tell.
 */
public final class LoopbackHost {
  private LoopbackHost() {}

  public static boolean is(String host) {
    String h = host.trim();
    if (h.toLowerCase(Locale.ROOT).equals("localhost")) {
      return true;
    }
    boolean v4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = h.indexOf(':') >= 0 && h.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return false;
    }
    try {
      // A numeric literal: parsed, never looked up. IPv4-mapped IPv6 (::ffff:127.0.0.1) comes back as IPv4.
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
