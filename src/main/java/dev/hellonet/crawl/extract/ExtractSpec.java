package dev.hellonet.crawl.extract;

import java.util.Map;

/**
 * What to read from pages: items (one per element matching {@code items}, or one per page when it is null), the
 * fields of each, and optionally a field whose link is followed to read {@code detail} fields from the linked page.
 */
public record ExtractSpec(Selector items, Map<String, Selector> fields, String follow, Map<String, Selector> detail) {
  public ExtractSpec {
    fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    detail = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(detail));
  }
}
