package dev.hellonet.crawl.extract;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * What one HTML page yielded: its title, its links (absolute, normalised), the items read from it, and the detail
 * fields it offers to items that link to it; {@code itemsDropped} counts the items past the per-page ceiling.
 */
public record ParsedPage(String title, List<String> links, List<JsonObject> items, JsonObject detail,
                         int itemsDropped) {}
