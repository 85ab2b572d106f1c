package dev.hellonet.crawl.extract;

import org.jsoup.nodes.Element;
import org.jsoup.select.Evaluator;
import org.jsoup.select.QueryParser;
import org.jsoup.select.Selector.SelectorParseException;

import java.util.Locale;

/**
 * One extraction rule: a jsoup CSS selector with Scrapy's suffix, {@code ::text} (trimmed text, the default) or
 * {@code ::attr(name)}. {@code href} and {@code src} values are resolved to absolute URLs against the page.
 */
public record Selector(String css, Evaluator evaluator, String attribute) {
  private static final String TEXT = "::text";
  private static final String ATTR = "::attr(";
  /** Longest selector accepted; real ones are a few dozen characters. */
  public static final int MAX_CHARS = 500;

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
    if (s.length() > MAX_CHARS) {
      throw new IllegalArgumentException("a selector is at most " + MAX_CHARS + " characters; got " + s.length());
    }
    refuseRegex(s, spec);
    Evaluator evaluator;
    try {
      evaluator = QueryParser.parse(s);
    } catch (SelectorParseException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a valid CSS selector (" + e.getMessage() + "): \"" + spec + "\"");
    }
    refuseRegex(evaluator.toString(), spec); // the parsed form too, however the text spelled it
    return new Selector(s, evaluator, attribute);
  }

  /**
   * jsoup evaluates {@code :matches(re)}, {@code :matchesOwn(re)}, {@code :matchesWholeText(re)},
   * {@code :matchesWholeOwnText(re)} and {@code [attr~=re]} with java.util.regex, which has no time limit: one
   * catastrophic pattern pins a thread for hours. Requests are untrusted, so these forms are refused outright.
   */
  private static void refuseRegex(String text, String spec) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.contains(":matches") || lower.contains("~=")) {
      throw new IllegalArgumentException("regular-expression selectors (:matches, :matchesOwn, :matchesWholeText, "
          + ":matchesWholeOwnText, [attr~=regex]) are not allowed; use :contains, :containsOwn or [attr*=text]; got \""
          + spec + "\"");
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
