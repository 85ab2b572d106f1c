package dev.hellonet.crawl.extract;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** One canonical form per page, and only http(s) kept. */
class UrlNormalizerTest {
  @Test
  void canonicalFormDropsWhatDoesNotChangeThePage() {
    assertEquals("http://example.org/", UrlNormalizer.normalize("HTTP://Example.ORG"));
    assertEquals("http://example.org/a", UrlNormalizer.normalize("http://example.org:80/a#top"));
    assertEquals("https://example.org/a?q=1&r=2", UrlNormalizer.normalize("https://example.org:443/x/../a?q=1&r=2"));
    assertEquals("http://example.org:8080/b/c", UrlNormalizer.normalize("http://example.org:8080/b/./c"));
    assertEquals("http://example.org/", UrlNormalizer.normalize("http://example.org/../.."));
  }

  @Test
  void relativeLinksResolveAgainstThePage() {
    String base = "http://example.org/subject/1/";
    assertEquals("http://example.org/img/p1.jpg", UrlNormalizer.normalize(base, "../../img/p1.jpg"));
    assertEquals("http://example.org/subject/1/x", UrlNormalizer.normalize(base, "x"));
    assertEquals("http://example.org/other", UrlNormalizer.normalize(base, "/other"));
    assertEquals("https://cdn.example.org/p.jpg", UrlNormalizer.normalize(base, "https://cdn.example.org/p.jpg"));
    assertEquals("http://example.org/a%20b", UrlNormalizer.normalize(base, "/a b"));
  }

  @Test
  void nonHttpAndBrokenLinksAreDropped() {
    assertNull(UrlNormalizer.normalize("mailto:someone@example.org"));
    assertNull(UrlNormalizer.normalize("ftp://example.org/file"));
    assertNull(UrlNormalizer.normalize("http://example.org/", "javascript:void(0)"));
    assertNull(UrlNormalizer.normalize("http:///nohost"));
    assertNull(UrlNormalizer.normalize(null));
  }
}
