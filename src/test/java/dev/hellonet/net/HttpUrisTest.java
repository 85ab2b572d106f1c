package dev.hellonet.net;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Default ports and request targets, as the crawler's fetcher connects and asks. */
class HttpUrisTest {
  @Test
  void portIsTheGivenOneOrTheSchemesDefault() {
    assertEquals(80, HttpUris.port(URI.create("http://example.org/")));
    assertEquals(443, HttpUris.port(URI.create("https://example.org/")));
    assertEquals(8443, HttpUris.port(URI.create("https://example.org:8443/")));
  }

  @Test
  void requestTargetKeepsRawPathAndQueryAndNeverIsEmpty() {
    assertEquals("/", HttpUris.pathAndQuery(URI.create("http://example.org")));
    assertEquals("/?q=1", HttpUris.pathAndQuery(URI.create("http://example.org?q=1")));
    assertEquals("/a%20b/c?x=%2F&y", HttpUris.pathAndQuery(URI.create("http://example.org/a%20b/c?x=%2F&y#frag")));
  }
}
