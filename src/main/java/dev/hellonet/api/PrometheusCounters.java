package dev.hellonet.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a counters snapshot (see docs/event-bus.md) as Prometheus text, generically: every number of every
 * instance of every role becomes a sample labelled with its instance, so counters added later show up without code
 * changes. Names: {@code hellonet_<role>_<counter in snake case>}, with {@code _total} for counters. A counter whose
 * name starts with a known family word followed by a capital ({@code connectionsActive}, {@code pagesFailed},
 * {@code rejectedTooMany...}) becomes one family with a label ({@code hellonet_hello_connections{state="active"}});
 * a nested object of numbers ({@code "rejections": {"perIpLimit": 3}}) becomes a family labelled by its keys.
 */
final class PrometheusCounters {
  /** Family words and the label their suffix becomes. */
  private static final List<Map.Entry<String, String>> FAMILIES = List.of(
      Map.entry("connections", "state"),
      Map.entry("rejections", "reason"),
      Map.entry("rejected", "reason"),
      Map.entry("pages", "status"));
  /** Levels that go up and down; everything else only grows and is exported as a counter. */
  private static final Set<String> GAUGES = Set.of("connectionsActive", "jobsRunning", "inFlight", "sequenceHeld",
      "highWaterMark", "exhaustedInstances", "leaseLatencyLastMicros", "leaseLatencyMaxMicros", "openConnections",
      "maxConnections", "kernelWarnings");

  private record Sample(String labels, Number value) {}

  private record Family(String name, String type, String help, List<Sample> samples) {}

  private PrometheusCounters() {}

  static String render(JsonObject snapshot) {
    Map<String, Family> families = new LinkedHashMap<>();
    for (String role : snapshot.fieldNames()) {
      if (!(snapshot.getValue(role) instanceof JsonObject group)
          || !(group.getValue("instances") instanceof JsonArray instances)) {
        continue;
      }
      for (Object o : instances) {
        if (!(o instanceof JsonObject instance)) {
          continue;
        }
        String instanceLabel = "instance=\"" + escape(String.valueOf(instance.getValue("instance"))) + "\"";
        for (Map.Entry<String, Object> e : instance) {
          String key = e.getKey();
          if (e.getValue() instanceof Number n) {
            add(families, role, key, instanceLabel, n);
          } else if (e.getValue() instanceof JsonObject nested) {
            for (Map.Entry<String, Object> inner : nested) {
              if (inner.getValue() instanceof Number n) {
                String label = labelFor(key);
                add(families, role, key, key, instanceLabel + "," + label + "=\"" + escape(inner.getKey()) + "\"", n,
                    GAUGES.contains(key));
              }
            }
          }
        }
      }
    }
    StringBuilder out = new StringBuilder();
    for (Family f : families.values()) {
      out.append("# HELP ").append(f.name()).append(' ').append(f.help()).append('\n');
      out.append("# TYPE ").append(f.name()).append(' ').append(f.type()).append('\n');
      for (Sample s : f.samples()) {
        out.append(f.name()).append('{').append(s.labels()).append("} ").append(s.value()).append('\n');
      }
    }
    return out.toString();
  }

  private static void add(Map<String, Family> families, String role, String key, String instanceLabel, Number n) {
    for (Map.Entry<String, String> family : FAMILIES) {
      String word = family.getKey();
      if (key.length() > word.length() && key.startsWith(word) && Character.isUpperCase(key.charAt(word.length()))) {
        String value = Character.toLowerCase(key.charAt(word.length())) + key.substring(word.length() + 1);
        add(families, role, word, key, instanceLabel + "," + family.getValue() + "=\"" + escape(value) + "\"", n,
            GAUGES.contains(key));
        return;
      }
    }
    add(families, role, key, key, instanceLabel, n, GAUGES.contains(key));
  }

  private static void add(Map<String, Family> families, String role, String base, String key, String labels, Number n,
                          boolean gauge) {
    String name = "hellonet_" + snake(role) + "_" + snake(base) + (gauge ? "" : "_total");
    families.computeIfAbsent(name, k -> new Family(k, gauge ? "gauge" : "counter",
            "hellonet " + role + " counter " + (base.equals(key) ? key : base + "*") + " (see docs/event-bus.md)",
            new ArrayList<>()))
        .samples().add(new Sample(labels, n));
  }

  private static String labelFor(String key) {
    for (Map.Entry<String, String> family : FAMILIES) {
      if (family.getKey().equals(key)) {
        return family.getValue();
      }
    }
    return "key";
  }

  /** camelCase to snake_case, anything outside [a-z0-9_] replaced, so names are valid Prometheus names. */
  static String snake(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
        out.append(c);
      } else {
        out.append('_');
      }
    }
    return out.toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
