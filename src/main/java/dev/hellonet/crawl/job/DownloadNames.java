package dev.hellonet.crawl.job;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Safe, unique file names for one job's downloads: the URL's last path segment reduced to {@code [A-Za-z0-9._-]}, no
 * leading dot, at most 100 characters, and a {@code -2}, {@code -3}... suffix when two URLs would share a name.
 */
final class DownloadNames {
  private static final int MAX = 100;
  private final Set<String> taken = new HashSet<>();

  /** Marks a name as used (a download restored from the store). */
  void take(String name) {
    taken.add(name);
  }

  String claim(String url) {
    String base = safe(url);
    String name = base;
    int dot = base.lastIndexOf('.');
    String stem = dot > 0 ? base.substring(0, dot) : base;
    String ext = dot > 0 ? base.substring(dot) : "";
    for (int n = 2; !taken.add(name); n++) {
      name = stem + "-" + n + ext;
    }
    return name;
  }

  static String safe(String url) {
    String path;
    try {
      path = URI.create(url).getRawPath();
    } catch (IllegalArgumentException e) {
      path = null;
    }
    String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
    try {
      last = URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // keep it encoded; the filter below makes it safe either way
    }
    String cleaned = last.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[._]+", "");
    if (cleaned.length() > MAX) {
      int dot = cleaned.lastIndexOf('.');
      String ext = dot > 0 && cleaned.length() - dot <= 10 ? cleaned.substring(dot) : "";
      cleaned = cleaned.substring(0, MAX - ext.length()) + ext;
    }
    return cleaned.isEmpty() ? "download" : cleaned;
  }
}
