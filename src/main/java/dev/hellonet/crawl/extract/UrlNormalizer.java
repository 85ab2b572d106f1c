package dev.hellonet.crawl.extract;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Puts URLs into one canonical form so that the same page is fetched once: lower-case scheme and host, no default
 * port, no fragment, dot segments removed, an empty path as {@code /}. Only http and https are kept.
 */
public final class UrlNormalizer {
  private UrlNormalizer() {}

  /** The canonical form of {@code url} (resolved against {@code base} when relative), or null when it is not http(s). */
  public static String normalize(String base, String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(escapeLoose(url.trim()));
      if (base != null && !uri.isAbsolute()) {
        uri = new URI(base).resolve(uri);
      }
      return normalize(uri);
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  /** The canonical form of an absolute URL, or null when it is not http(s) or has no host. */
  public static String normalize(String url) {
    return normalize(null, url);
  }

  private static String normalize(URI uri) throws URISyntaxException {
    String scheme = uri.getScheme();
    if (scheme == null) {
      return null;
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return null;
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return null;
    }
    host = host.toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
      port = -1;
    }
    String path = uri.getRawPath();
    if (path == null || path.isEmpty()) {
      path = "/";
    }
    StringBuilder out = new StringBuilder(scheme).append("://").append(host);
    if (port != -1) {
      out.append(':').append(port);
    }
    out.append(rawNormalizedPath(path));
    if (uri.getRawQuery() != null) {
      out.append('?').append(uri.getRawQuery());
    }
    return out.toString();
  }

  private static String rawNormalizedPath(String rawPath) throws URISyntaxException {
    String p = new URI("http://h" + rawPath).normalize().getRawPath();
    // normalize() keeps leading ".." segments of an absolute path; a browser drops them.
    while (p.startsWith("/../")) {
      p = p.substring(3);
    }
    if (p.equals("/..")) {
      p = "/";
    }
    return p.isEmpty() ? "/" : p;
  }

  /** Escapes characters pages often leave raw in links (spaces, pipes, braces) so that {@link URI} accepts them. */
  private static String escapeLoose(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String esc = switch (c) {
        case ' ' -> "%20";
        case '|' -> "%7C";
        case '"' -> "%22";
        case '<' -> "%3C";
        case '>' -> "%3E";
        case '{' -> "%7B";
        case '}' -> "%7D";
        case '^' -> "%5E";
        case '`' -> "%60";
        case '\\' -> "%5C";
        default -> null;
      };
      if (esc != null && out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (out != null) {
        if (esc != null) {
          out.append(esc);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? s : out.toString();
  }
}
