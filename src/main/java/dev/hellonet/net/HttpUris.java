package dev.hellonet.net;

import java.net.URI;

/** What an HTTP client connects to and asks for, read from an absolute http(s) URI. */
public final class HttpUris {
  private HttpUris() {}

  /** The URI's port, or its scheme's default (443 for https, 80 otherwise) when it names none. */
  public static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
  }

  /** The request target: the raw path ({@code /} when empty) and the raw query after a {@code ?}, if any. */
  public static String pathAndQuery(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }
}
