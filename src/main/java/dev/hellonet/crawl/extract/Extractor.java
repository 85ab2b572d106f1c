package dev.hellonet.crawl.extract;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses an HTML page with jsoup and reads what a job asked for: items with their fields, detail fields, links to
 * follow. Pure and thread-safe, so large pages can be parsed on a worker thread.
 */
public final class Extractor {
  private static final org.jsoup.select.Evaluator LINKS = org.jsoup.select.QueryParser.parse("a[href]");

  private Extractor() {}

  /** Whether a Content-Type (null when absent) says the body is HTML worth parsing. */
  public static boolean isHtml(String contentType) {
    if (contentType == null) {
      return true;
    }
    String t = contentType.toLowerCase(Locale.ROOT);
    return t.contains("html");
  }

  /**
   * Parses {@code body} fetched from {@code url}. {@code spec} may be null (no extraction); links are collected only
   * when {@code wantLinks}; detail fields only when {@code wantDetail}; at most {@code maxItems} items are read.
   */
  public static ParsedPage parse(Buffer body, String contentType, String url, ExtractSpec spec, boolean wantLinks,
                          boolean wantDetail, int maxItems) {
    Document doc;
    try {
      doc = Jsoup.parse(new ByteArrayInputStream(body.getBytes()), charset(contentType), url);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> links = List.of();
    if (wantLinks) {
      Set<String> found = new LinkedHashSet<>();
      for (Element a : doc.select(LINKS)) {
        String normalized = UrlNormalizer.normalize(url, a.attr("href"));
        if (normalized != null) {
          found.add(normalized);
        }
      }
      links = List.copyOf(found);
    }
    List<JsonObject> items = new ArrayList<>();
    JsonObject detail = null;
    int dropped = 0;
    if (spec != null) {
      if (spec.items() != null) {
        for (Element item : doc.select(spec.items().evaluator())) {
          if (items.size() >= maxItems) {
            dropped++;
          } else {
            items.add(read(item, spec.fields()));
          }
        }
      } else {
        items.add(read(doc, spec.fields()));
      }
      if (wantDetail && !spec.detail().isEmpty()) {
        detail = read(doc, spec.detail());
      }
    }
    return new ParsedPage(doc.title().trim(), links, items, detail, dropped);
  }

  private static JsonObject read(Element scope, Map<String, Selector> fields) {
    JsonObject out = new JsonObject();
    fields.forEach((name, selector) -> out.put(name, selector.read(scope)));
    return out;
  }

  private static String charset(String contentType) {
    if (contentType == null) {
      return null;
    }
    int at = contentType.toLowerCase(Locale.ROOT).indexOf("charset=");
    if (at < 0) {
      return null;
    }
    String name = contentType.substring(at + 8).split(";")[0].trim().replace("\"", "");
    try {
      return Charset.isSupported(name) ? name : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
