package dev.hellonet.api;

import dev.hellonet.config.ClosestName;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.json.schema.OutputUnit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the schema validator's findings into one fault per field, each with a reason a person can act on
 * ({@code urls[0]: must be an absolute http(s) URL}) instead of the validator's wording ({@code String does not match
 * pattern}). The validator's messages are read for the numbers they carry; {@code ValidationFaultsTest} pins their
 * shapes to the vertx-json-schema version, so an upgrade that rewords them fails there first.
 */
final class ValidationFaults {
  /** One fault: the field's path as the crawler writes it ({@code extract.fields.name}, {@code urls[1]}) and why. */
  record Fault(String field, String problem) {}

  /** What a pattern means, per field (array indexes written {@code []}): a regular expression tells no one anything. */
  private static final Map<String, String> PATTERNS = Map.of(
      "urls[]", "must be an absolute http(s) URL",
      "cursor", "must be the nextCursor of a previous page (j-...)");
  /** What an empty array means, per field. */
  private static final Map<String, String> TOO_FEW = Map.of("urls", "at least one URL");

  private static final Pattern NUMBERS = Pattern.compile("-?\\d+(?:\\.\\d+)?");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
  private static final Pattern EXPECTED = Pattern.compile("Expected (\\w+)");
  private static final Pattern ENUM = Pattern.compile("any of (\\[.*])", Pattern.DOTALL);

  private ValidationFaults() {}

  /**
   * The faults of a failed body validation, the first one first.
   *
   * @param besides the property names allowed beside an unknown one, by the finding's absolute keyword location
   */
  static List<Fault> ofBody(OutputUnit result, Function<String, Collection<String>> besides) {
    List<OutputUnit> leaves = new ArrayList<>();
    flatten(result, leaves);
    // The validator reports every enclosing level too, and reports a known property that fails a second time as "does
    // not match additional properties schema". Per field keep the most specific finding, and drop fields that only
    // enclose others.
    Map<String, OutputUnit> innermost = new LinkedHashMap<>();
    for (OutputUnit leaf : leaves) {
      innermost.merge(fieldOf(leaf), leaf, (a, b) -> rank(b) > rank(a) ? b : a);
    }
    innermost.keySet().removeIf(f -> innermost.keySet().stream().anyMatch(other -> !other.equals(f)
        && (f.isEmpty() ? !other.isEmpty() : other.startsWith(f + ".") || other.startsWith(f + "["))));
    List<Fault> faults = new ArrayList<>();
    innermost.forEach((field, unit) -> faults.add(new Fault(field.isEmpty() ? "body" : field,
        reason(field, keyword(unit), unit.getError(), () -> besides.apply(unit.getAbsoluteKeywordLocation())))));
    return faults;
  }

  /** The fault of a parameter, from the validator's reason (and its finding, when it has one). */
  static Fault ofParameter(String name, String validatorReason, OutputUnit result) {
    List<OutputUnit> leaves = new ArrayList<>();
    if (result != null) {
      flatten(result, leaves);
    }
    OutputUnit deepest = leaves.stream().reduce((a, b) -> rank(b) > rank(a) ? b : a).orElse(null);
    String keyword = deepest == null ? null : keyword(deepest);
    String error = deepest == null ? validatorReason : deepest.getError();
    return new Fault(name, reason(name, keyword, error, List::of));
  }

  /** A human reason for one finding; falls back to the validator's own words for a keyword not known here. */
  static String reason(String field, String keyword, String error, Supplier<Collection<String>> besides) {
    String message = error == null ? "" : error;
    String generic = field.replaceAll("\\[\\d+]", "[]");
    List<String> numbers = numbers(message);
    String last = numbers.isEmpty() ? "?" : numbers.getLast();
    return switch (keyword == null ? "" : keyword) {
      case "pattern", "format" -> PATTERNS.getOrDefault(generic,
          keyword.equals("format") ? "must be a " + quoted(message, "valid value") : "does not have the expected form");
      case "minItems" -> TOO_FEW.getOrDefault(generic, "at least " + last + " item" + (last.equals("1") ? "" : "s"));
      case "maxItems" -> "at most " + last + " items";
      case "minimum" -> "must be at least " + last + given(numbers);
      case "exclusiveMinimum" -> "must be more than " + last + given(numbers);
      case "maximum" -> "must be at most " + last + given(numbers);
      case "exclusiveMaximum" -> "must be less than " + last + given(numbers);
      case "minLength" -> last.equals("1") ? "must not be empty" : "must be at least " + last + " characters long";
      case "maxLength" -> "must be at most " + last + " characters long";
      case "minProperties" -> "needs at least " + last + (last.equals("1") ? " entry" : " entries");
      case "maxProperties" -> "at most " + last + " entries";
      case "type" -> "must be " + article(expected(message));
      case "enum" -> "must be one of " + enumValues(message);
      case "required" -> "missing; this field is required";
      case "additionalProperties" -> unknownField(field, besides.get());
      default -> message;
    };
  }

  private static String unknownField(String field, Collection<String> known) {
    String name = field.substring(Math.max(field.lastIndexOf('.'), field.lastIndexOf(']')) + 1);
    if (known.isEmpty()) {
      return "unknown field";
    }
    return ClosestName.to(name, known).map(close -> "unknown field; did you mean " + close + "?")
        .orElse("unknown field; known fields: " + String.join(", ", known));
  }

  /** The field a finding is about; a missing required property is reported on its object, so name the property. */
  private static String fieldOf(OutputUnit unit) {
    String field = ErrorMapper.field(unit.getInstanceLocation());
    if ("required".equals(keyword(unit))) {
      String property = quoted(unit.getError(), null);
      if (property != null) {
        return field.isEmpty() ? property : field + "." + property;
      }
    }
    return field;
  }

  /** Which finding says most: anything beats the "additional properties" echo, then the deeper keyword wins. */
  private static int rank(OutputUnit unit) {
    String location = unit.getKeywordLocation() == null ? "" : unit.getKeywordLocation();
    return ("additionalProperties".equals(keyword(unit)) ? 0 : 10_000) + location.length();
  }

  private static String keyword(OutputUnit unit) {
    String location = unit.getKeywordLocation();
    return location == null ? null : location.substring(location.lastIndexOf('/') + 1);
  }

  private static void flatten(OutputUnit unit, List<OutputUnit> out) {
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      if (unit.getError() != null) {
        out.add(unit);
      }
      return;
    }
    for (OutputUnit child : unit.getErrors()) {
      flatten(child, out);
    }
  }

  private static List<String> numbers(String message) {
    List<String> out = new ArrayList<>();
    Matcher m = NUMBERS.matcher(message);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** {@code "5000 is greater than 1000"}: the value given comes first. */
  private static String given(List<String> numbers) {
    return numbers.size() >= 2 ? ", not " + numbers.getFirst() : "";
  }

  private static String quoted(String message, String otherwise) {
    Matcher m = QUOTED.matcher(message == null ? "" : message);
    return m.find() ? m.group(1) : otherwise;
  }

  private static String expected(String message) {
    Matcher m = EXPECTED.matcher(message);
    return m.find() ? m.group(1) : "of another type";
  }

  private static String article(String type) {
    return switch (type) {
      case "integer" -> "a whole number";
      case "number" -> "a number";
      case "string" -> "a string";
      case "boolean" -> "true or false";
      case "array" -> "an array";
      case "object" -> "a JSON object";
      case "null" -> "null";
      default -> type;
    };
  }

  private static String enumValues(String message) {
    Matcher m = ENUM.matcher(message);
    if (!m.find()) {
      return message;
    }
    try {
      return String.join(", ", new JsonArray(m.group(1)).stream().map(String::valueOf).toList());
    } catch (DecodeException e) {
      return m.group(1);
    }
  }
}
