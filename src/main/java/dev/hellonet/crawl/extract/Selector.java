package dev.hellonet.crawl.extract;

import org.jsoup.nodes.Element;
import org.jsoup.select.Evaluator;
import org.jsoup.select.QueryParser;
import org.jsoup.select.Selector.SelectorParseException;

/**
 * One extraction rule: a jsoup CSS selector with Scrapy's suffix, {@code ::text} (trimmed text, the default) or
 * {@code ::attr(name)}. {@code href} and {@code src} values are resolved to absolute URLs against the page.
 */
public record Selector(String css, Evaluator evaluator, String attribute) {
  private static final String TEXT = "::text";
  private static final String ATTR = "::attr(";

  /** Parses {@code spec}; a bad selector or suffix is refused with an {@link IllegalArgumentException} saying why. */
  public static Selector parse(String spec) {
    String s = spec.trim();
    String attribute = null;
    if (s.endsWith(TEXT)) {
      s = s.substring(0, s.length() - TEXT.length()).trim();
    } else {
      int at = s.lastIndexOf(ATTR);
      if (at >= 0) {
        if (!s.endsWith(")")) {
          throw new IllegalArgumentException("\"::attr(\" needs a closing \")\"; got \"" + spec + "\"");
        }
        attribute = s.substring(at + ATTR.length(), s.length() - 1).trim();
        if (attribute.isEmpty() || !attribute.matches("[A-Za-z_:][-A-Za-z0-9_:.]*")) {
          throw new IllegalArgumentException("\"::attr(name)\" needs an attribute name; got \"" + spec + "\"");
        }
        s = s.substring(0, at).trim();
      } else if (s.contains("::")) {
        throw new IllegalArgumentException("the only suffixes are ::text and ::attr(name); got \"" + spec + "\"");
      }
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("needs a CSS selector before the suffix; got \"" + spec + "\"");
    }
    try {
      return new Selector(s, QueryParser.parse(s), attribute);
    } catch (SelectorParseException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a valid CSS selector (" + e.getMessage() + "): \"" + spec + "\"");
    }
  }

  /** The value this rule reads inside {@code scope}: from the first matching element, or null when none matches. */
  public String read(Element scope) {
    Element first = scope.selectFirst(evaluator);
    if (first == null) {
      return null;
    }
    if (attribute == null) {
      return first.text().trim();
    }
    if (!first.hasAttr(attribute)) {
      return null;
    }
    if (isUrlAttribute()) {
      String absolute = first.absUrl(attribute);
      return absolute.isEmpty() ? first.attr(attribute).trim() : absolute;
    }
    return first.attr(attribute).trim();
  }

  /** True when the rule reads a link, whose value is resolved against the page. */
  public boolean isUrlAttribute() {
    return "href".equalsIgnoreCase(attribute) || "src".equalsIgnoreCase(attribute);
  }
}
