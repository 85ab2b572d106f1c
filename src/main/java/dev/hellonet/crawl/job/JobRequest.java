package dev.hellonet.crawl.job;

import dev.hellonet.config.WholeNumbers;
import dev.hellonet.crawl.extract.ExtractSpec;
import dev.hellonet.crawl.extract.Selector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated crawl job request (schema CrawlRequest of {@code hellonet/openapi.yaml}). {@link #parse} refuses anything
 * it would not run, naming the field, so that a job is only ever created from a request that makes sense.
 */
public record JobRequest(
    List<String> urls,
    int concurrency,
    int perHostConcurrency,
    long timeoutMs,
    long deadlineMs,
    int retries,
    int maxDepth,
    int maxPages,
    Scope scope,
    boolean respectRobots,
    ExtractSpec extract,
    String downloadField,
    long delayMs,
    AutoThrottle autoThrottle) {

  /**
   * Scrapy's AutoThrottle: aim for {@code targetConcurrency} requests in flight per origin by setting the delay from
   * the measured latency, between the job's delay and {@code maxDelayMs}. Null in a request that does not ask for it.
   */
  public record AutoThrottle(double targetConcurrency, long maxDelayMs) {}

  /** Which discovered links are followed when {@code maxDepth > 0}. */
  public enum Scope {
    SAME_HOST("same-host"), ANY("any");

    final String wire;

    Scope(String wire) {
      this.wire = wire;
    }
  }

  public static final int MAX_URLS = 10_000;
  static final int DEFAULT_CONCURRENCY = 16;
  static final int DEFAULT_PER_HOST = 8;
  static final long DEFAULT_TIMEOUT_MS = 10_000;
  static final int DEFAULT_RETRIES = 1;
  static final int DEFAULT_MAX_PAGES = 1000;
  static final int MAX_DEPTH = 100;
  static final int MAX_RETRIES = 10;
  static final int MAX_PAGES = 100_000;
  static final long MAX_TIMEOUT_MS = 600_000;
  static final long MAX_DEADLINE_MS = 86_400_000;
  static final long MAX_DELAY_MS = 60_000;
  private static final int MAX_URL_LENGTH = 8192;

  private static final Set<String> TOP_KEYS = Set.of("urls", "concurrency", "perHostConcurrency", "delayMs", "timeoutMs",
      "deadlineMs", "retries", "maxDepth", "maxPages", "scope", "respectRobots", "extract", "download",
      "autoThrottle");
  private static final Set<String> AUTO_THROTTLE_KEYS = Set.of("targetConcurrency", "maxDelayMs");
  private static final Set<String> EXTRACT_KEYS = Set.of("items", "fields", "follow", "detail");
  private static final Set<String> DOWNLOAD_KEYS = Set.of("field");

  public JobRequest {
    urls = List.copyOf(urls);
  }

  /**
   * Validates and types a request. {@code maxConcurrency} is the configured ceiling for {@code concurrency} and
   * {@code perHostConcurrency}.
   */
  public static JobRequest parse(JsonObject json, int maxConcurrency) {
    if (json == null) {
      throw new InvalidRequestException("body", "must be a JSON object");
    }
    unknownKeys(json, TOP_KEYS, "");
    List<String> urls = urls(json.getValue("urls"));
    int concurrency = (int) whole(json, "concurrency", "concurrency", DEFAULT_CONCURRENCY, 1, maxConcurrency);
    int perHost = (int) whole(json, "perHostConcurrency", "perHostConcurrency", DEFAULT_PER_HOST, 1, maxConcurrency);
    long timeoutMs = whole(json, "timeoutMs", "timeoutMs", DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
    long deadlineMs = whole(json, "deadlineMs", "deadlineMs", 0, 0, MAX_DEADLINE_MS);
    long delayMs = whole(json, "delayMs", "delayMs", 0, 0, MAX_DELAY_MS);
    int retries = (int) whole(json, "retries", "retries", DEFAULT_RETRIES, 0, MAX_RETRIES);
    int maxDepth = (int) whole(json, "maxDepth", "maxDepth", 0, 0, MAX_DEPTH);
    int maxPages = (int) whole(json, "maxPages", "maxPages", DEFAULT_MAX_PAGES, 1, MAX_PAGES);
    Scope scope = scope(json.getValue("scope"));
    boolean respectRobots = bool(json, "respectRobots", true);
    ExtractSpec extract = json.containsKey("extract") ? extract(json.getValue("extract")) : null;
    String downloadField = json.containsKey("download") ? download(json.getValue("download"), extract) : null;
    return new JobRequest(urls, concurrency, perHost, timeoutMs, deadlineMs, retries, maxDepth, maxPages, scope,
        respectRobots, extract, downloadField, delayMs,
        json.containsKey("autoThrottle") ? autoThrottle(json.getValue("autoThrottle"), perHost, delayMs) : null);
  }

  private static AutoThrottle autoThrottle(Object value, int perHost, long delayMs) {
    if (!(value instanceof JsonObject json)) {
      throw new InvalidRequestException("autoThrottle", "must be an object ({} for the defaults)");
    }
    unknownKeys(json, AUTO_THROTTLE_KEYS, "autoThrottle.");
    double target = 1.0;
    if (json.containsKey("targetConcurrency")) {
      if (!(json.getValue("targetConcurrency") instanceof Number n) || !(n.doubleValue() >= 0.1)
          || n.doubleValue() > perHost) {
        throw new InvalidRequestException("autoThrottle.targetConcurrency", "must be a number from 0.1 to "
            + "perHostConcurrency (" + perHost + "); got " + json.getValue("targetConcurrency"));
      }
      target = n.doubleValue();
    }
    long maxDelay = whole(json, "maxDelayMs", "autoThrottle.maxDelayMs", MAX_DELAY_MS, Math.max(1, delayMs),
        MAX_DELAY_MS);
    return new AutoThrottle(target, maxDelay);
  }

  private static void unknownKeys(JsonObject json, Set<String> known, String prefix) {
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        throw new InvalidRequestException(prefix + key, "unknown field; known fields are " + new java.util.TreeSet<>(known));
      }
    }
  }

  private static List<String> urls(Object value) {
    if (value == null) {
      throw new InvalidRequestException("urls", "required: an array of 1 to " + MAX_URLS + " absolute http(s) URLs");
    }
    if (!(value instanceof JsonArray array)) {
      throw new InvalidRequestException("urls", "must be an array of absolute http(s) URLs");
    }
    if (array.isEmpty() || array.size() > MAX_URLS) {
      throw new InvalidRequestException("urls", "must hold 1 to " + MAX_URLS + " URLs; got " + array.size());
    }
    List<String> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String field = "urls[" + i + "]";
      if (!(array.getValue(i) instanceof String s)) {
        throw new InvalidRequestException(field, "must be a string");
      }
      if (s.length() > MAX_URL_LENGTH) {
        throw new InvalidRequestException(field, "longer than " + MAX_URL_LENGTH + " characters");
      }
      URI uri;
      try {
        uri = new URI(s.trim());
      } catch (java.net.URISyntaxException e) {
        throw new InvalidRequestException(field, "not a valid URL: " + e.getMessage());
      }
      String scheme = uri.getScheme();
      if (!uri.isAbsolute() || scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        throw new InvalidRequestException(field, "must be an absolute http or https URL; got \"" + s + "\"");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new InvalidRequestException(field, "must name a host; got \"" + s + "\"");
      }
      if (uri.getPort() > 65535) {
        throw new InvalidRequestException(field, "port must be at most 65535; got \"" + s + "\"");
      }
      out.add(s.trim());
    }
    return out;
  }

  private static long whole(JsonObject json, String key, String field, long dflt, long min, long max) {
    if (!json.containsKey(key)) {
      return dflt;
    }
    try {
      return WholeNumbers.check(json.getValue(key), min, max);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(field, e.getMessage());
    }
  }

  private static boolean bool(JsonObject json, String key, boolean dflt) {
    Object v = json.getValue(key);
    if (v == null && !json.containsKey(key)) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      throw new InvalidRequestException(key, "must be true or false; got " + v);
    }
    return b;
  }

  private static Scope scope(Object v) {
    if (v == null) {
      return Scope.SAME_HOST;
    }
    for (Scope s : Scope.values()) {
      if (s.wire.equals(v)) {
        return s;
      }
    }
    throw new InvalidRequestException("scope", "must be \"same-host\" or \"any\"; got " + v);
  }

  private static ExtractSpec extract(Object value) {
    if (!(value instanceof JsonObject json)) {
      throw new InvalidRequestException("extract", "must be an object");
    }
    unknownKeys(json, EXTRACT_KEYS, "extract.");
    Selector items = null;
    if (json.containsKey("items")) {
      if (!(json.getValue("items") instanceof String s) || s.isBlank()) {
        throw new InvalidRequestException("extract.items", "must be a CSS selector string");
      }
      items = selector(s, "extract.items");
      if (items.attribute() != null) {
        throw new InvalidRequestException("extract.items", "selects elements; ::attr() makes no sense here");
      }
    }
    Map<String, Selector> fields = selectorMap(json.getValue("fields"), "extract.fields", true);
    Map<String, Selector> detail = json.containsKey("detail")
        ? selectorMap(json.getValue("detail"), "extract.detail", true) : Map.of();
    String follow = null;
    if (json.containsKey("follow")) {
      if (!(json.getValue("follow") instanceof String f) || !fields.containsKey(f)) {
        throw new InvalidRequestException("extract.follow", "must name one of extract.fields " + fields.keySet()
            + "; got " + json.getValue("follow"));
      }
      follow = f;
    }
    if (follow == null && !detail.isEmpty()) {
      throw new InvalidRequestException("extract.detail", "needs extract.follow to name the field linking to the detail page");
    }
    if (follow != null && detail.isEmpty()) {
      throw new InvalidRequestException("extract.detail", "required with extract.follow: the fields to read from the linked page");
    }
    for (String name : detail.keySet()) {
      if (fields.containsKey(name)) {
        throw new InvalidRequestException("extract.detail." + name, "already a name in extract.fields");
      }
    }
    return new ExtractSpec(items, fields, follow, detail);
  }

  private static Map<String, Selector> selectorMap(Object value, String field, boolean required) {
    if (!(value instanceof JsonObject json) || (required && json.isEmpty())) {
      throw new InvalidRequestException(field, "must be an object of at least one name: \"css selector[::text|::attr(name)]\"");
    }
    if (json.size() > 100) {
      throw new InvalidRequestException(field, "at most 100 fields; got " + json.size());
    }
    Map<String, Selector> out = new LinkedHashMap<>();
    for (String name : json.fieldNames()) {
      String path = field + "." + name;
      if (name.isBlank()) {
        throw new InvalidRequestException(path, "field names must not be empty");
      }
      if (!(json.getValue(name) instanceof String spec) || spec.isBlank()) {
        throw new InvalidRequestException(path, "must be a CSS selector string");
      }
      out.put(name, selector(spec, path));
    }
    return out;
  }

  private static Selector selector(String spec, String field) {
    try {
      return Selector.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(field, e.getMessage());
    }
  }

  private static String download(Object value, ExtractSpec extract) {
    if (!(value instanceof JsonObject json)) {
      throw new InvalidRequestException("download", "must be an object {\"field\": name}");
    }
    unknownKeys(json, DOWNLOAD_KEYS, "download.");
    if (extract == null) {
      throw new InvalidRequestException("download", "needs extract: the field it names is read from the items");
    }
    Object field = json.getValue("field");
    if (!(field instanceof String f) || !(extract.fields().containsKey(f) || extract.detail().containsKey(f))) {
      throw new InvalidRequestException("download.field", "must name a field of extract.fields or extract.detail; got " + field);
    }
    return f;
  }
}
