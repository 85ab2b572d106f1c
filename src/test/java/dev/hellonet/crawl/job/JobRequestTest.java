package dev.hellonet.crawl.job;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Defaults, the issue's example request, selectors with Scrapy's suffixes, and refusals naming the field. */
class JobRequestTest {
  private static JsonObject minimal() {
    return new JsonObject().put("urls", new JsonArray().add("http://example.test/later/beijing"));
  }

  @Test
  void onlyUrlsIsRequiredTheRestHasDefaults() {
    JobRequest r = JobRequest.parse(minimal(), 256);
    assertEquals(16, r.concurrency());
    assertEquals(8, r.perHostConcurrency());
    assertEquals(10_000, r.timeoutMs());
    assertEquals(0, r.deadlineMs());
    assertEquals(1, r.retries());
    assertEquals(0, r.maxDepth());
    assertEquals(1000, r.maxPages());
    assertEquals(JobRequest.Scope.SAME_HOST, r.scope());
    assertTrue(r.respectRobots());
    assertNull(r.extract());
    assertNull(r.downloadField());
  }

  @Test
  void theIssueExampleParses() {
    JsonObject json = new JsonObject("""
        {
          "urls": ["http://example.test/later/beijing"],
          "concurrency": 16, "perHostConcurrency": 8,
          "timeoutMs": 10000, "deadlineMs": 0, "retries": 1,
          "maxDepth": 0, "maxPages": 1000, "scope": "same-host", "respectRobots": true,
          "extract": {
            "items": "#showing-soon .item",
            "fields": { "name": "h3 a::text", "date": "li.dt::text", "url": "h3 a::attr(href)" },
            "follow": "url",
            "detail": { "poster": "img::attr(src)" }
          },
          "download": { "field": "poster" }
        }""");
    JobRequest r = JobRequest.parse(json, 256);
    assertEquals("url", r.extract().follow());
    assertEquals("poster", r.downloadField());
    assertEquals("href", r.extract().fields().get("url").attribute());
    assertNull(r.extract().fields().get("name").attribute());
    assertEquals(java.util.List.of("name", "date", "url"), java.util.List.copyOf(r.extract().fields().keySet()));
  }

  @Test
  void badSelectorsAreRefusedNamingTheField() {
    for (String bad : new String[] {"h3[", "a::attr(", "a::attr()", "a::html", "::text", "div >> p"}) {
      JsonObject request = minimal().put("extract", new JsonObject().put("fields", new JsonObject().put("x", bad)));
      InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> JobRequest.parse(request, 64));
      assertEquals("extract.fields.x", e.field(), bad);
    }
  }

  @Test
  void valuesOutOfRangeNameTheField() {
    assertField("concurrency", minimal().put("concurrency", 300));
    assertField("maxPages", minimal().put("maxPages", 0));
    assertField("deadlineMs", minimal().put("deadlineMs", -1));
    assertField("maxDepth", minimal().put("maxDepth", 101));
    assertField("respectRobots", minimal().put("respectRobots", "yes"));
    assertField("urls[0]", new JsonObject().put("urls", new JsonArray().add(42)));
    assertField("urls[0]", new JsonObject().put("urls", new JsonArray().add("http://")));
    assertField("urls[0]", new JsonObject().put("urls", new JsonArray().add("http://example.test:70000/")));
    assertField("extract.detail", minimal().put("extract", new JsonObject()
        .put("fields", new JsonObject().put("a", "a")).put("follow", "a")));
    assertField("extract.detail.a", minimal().put("extract", new JsonObject()
        .put("fields", new JsonObject().put("a", "a")).put("follow", "a").put("detail", new JsonObject().put("a", "b"))));
    assertField("extract.fields", minimal().put("extract", new JsonObject().put("fields", new JsonObject())));
    assertField("extract.colour", minimal().put("extract", new JsonObject().put("colour", 1)));
    JsonArray many = new JsonArray();
    for (int i = 0; i <= JobRequest.MAX_URLS; i++) {
      many.add("http://example.test/" + i);
    }
    assertField("urls", new JsonObject().put("urls", many));
  }

  /** The numbers are checked by config's {@code WholeNumbers}, so a request and a config file are refused alike. */
  @Test
  void numbersAreRefusedInTheSameWordsAsConfiguration() {
    assertMessage("concurrency: must be a whole number between 1 and 256; got 2.5", minimal().put("concurrency", 2.5));
    assertMessage("retries: must be a whole number between 0 and 10; got 3", minimal().put("retries", "3"));
    assertMessage("maxPages: must be a whole number between 1 and 100000; got null", minimal().putNull("maxPages"));
    assertMessage("perHostConcurrency: must be between 1 and 256; got 257", minimal().put("perHostConcurrency", 257));
  }

  private static void assertMessage(String message, JsonObject json) {
    assertEquals(message, assertThrows(InvalidRequestException.class, () -> JobRequest.parse(json, 256)).getMessage());
  }

  private static void assertField(String field, JsonObject json) {
    InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> JobRequest.parse(json, 256));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
  }

  @Test
  void regexSelectorsAreRefusedNamingTheField() {
    String[] regex = {"p:matches(^(\\w+\\s?)*$)", "p:matchesOwn((a+)+$)", "div:MATCHES(x)", "p:matchesWholeText(a)",
        "p:matchesWholeOwnText(a)", "a[href~=(a|aa)+$]", "div:has(p:matches(x))", "li:not([title~=x])"};
    for (String selector : regex) {
      for (String where : new String[] {"items", "fields"}) {
        JsonObject extract = where.equals("items")
            ? new JsonObject().put("items", selector).put("fields", new JsonObject().put("t", "a"))
            : new JsonObject().put("fields", new JsonObject().put("t", selector));
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
            () -> JobRequest.parse(minimal().put("extract", extract), 64), selector);
        assertEquals(where.equals("items") ? "extract.items" : "extract.fields.t", e.field(), selector);
        assertTrue(e.getMessage().contains("regular-expression selectors"), e.getMessage());
      }
    }
    // Plain text matching stays available.
    JobRequest.parse(minimal().put("extract", new JsonObject().put("fields", new JsonObject()
        .put("t", "p:contains(sale)").put("u", "a[href*=item]::attr(href)"))), 64);
  }
}
