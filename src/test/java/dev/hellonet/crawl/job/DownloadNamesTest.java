package dev.hellonet.crawl.job;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Download file names cannot escape the job directory and never collide. */
class DownloadNamesTest {
  @Test
  void namesAreSafe() {
    assertEquals("p1.jpg", DownloadNames.safe("http://h/view/photo/p1.jpg"));
    assertEquals("etc_passwd", DownloadNames.safe("http://h/..%2F..%2Fetc%2Fpasswd"));
    assertEquals("download", DownloadNames.safe("http://h/"));
    assertEquals("download", DownloadNames.safe("http://h/.."));
    assertEquals("a_b_.jpg", DownloadNames.safe("http://h/a%20b%00.jpg"));
    assertEquals(100, DownloadNames.safe("http://h/" + "x".repeat(300) + ".jpg").length());
    assertEquals(".jpg", DownloadNames.safe("http://h/" + "x".repeat(300) + ".jpg").substring(96));
  }

  @Test
  void collisionsGetNumberedSuffixes() {
    DownloadNames names = new DownloadNames();
    assertEquals("p.jpg", names.claim("http://a/p.jpg"));
    assertEquals("p-2.jpg", names.claim("http://b/p.jpg"));
    assertEquals("p-3.jpg", names.claim("http://c/x/p.jpg"));
    assertEquals("download", names.claim("http://c/"));
    assertEquals("download-2", names.claim("http://d/"));
  }
}
