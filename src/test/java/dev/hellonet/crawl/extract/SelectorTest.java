package dev.hellonet.crawl.extract;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Selectors with Scrapy's suffixes read text and attributes, and resolve links against the page. */
class SelectorTest {
  @Test
  void selectorsReadTextAttributesAndResolveLinks() {
    Document doc = Jsoup.parse("<div class=item><h3><a href='../s/1/'> Movie  1 </a></h3><img src='/p.jpg' alt='x'>"
        + "</div>", "http://example.test/later/beijing");
    assertEquals("Movie 1", Selector.parse("h3 a::text").read(doc));
    assertEquals("Movie 1", Selector.parse("h3 a").read(doc), "::text is the default");
    assertEquals("http://example.test/s/1/", Selector.parse("h3 a::attr(href)").read(doc));
    assertEquals("http://example.test/p.jpg", Selector.parse("img::attr(src)").read(doc));
    assertEquals("x", Selector.parse("img::attr(alt)").read(doc));
    assertNull(Selector.parse("img::attr(title)").read(doc));
    assertNull(Selector.parse("table td").read(doc));
  }
}
