package dev.hellonet.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scraped Prometheus text page, read back into its types and samples, so tests assert values rather than names. */
record PrometheusText(Map<String, String> types, Map<String, Double> samples) {
  private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) (\\S+)$");

  static PrometheusText parse(String text) {
    Map<String, String> types = new HashMap<>();
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.lines().toList()) {
      Matcher t = TYPE.matcher(line);
      Matcher s = SAMPLE.matcher(line);
      if (t.matches()) {
        types.put(t.group(1), t.group(2));
      } else if (!line.startsWith("#") && s.matches()) {
        samples.put(s.group(1), Double.parseDouble(s.group(2)));
      }
    }
    return new PrometheusText(types, samples);
  }

  /** One sample by its full name with labels, e.g. {@code hellonet_hello_connections{instance="hello-0",state="active"}}. */
  double value(String series) {
    Double v = samples.get(series);
    if (v == null) {
      throw new AssertionError("no sample " + series + "; have " + samples.keySet().stream()
          .filter(k -> k.startsWith(series.replaceFirst("\\{.*", ""))).toList());
    }
    return v;
  }

  /** The sum of a family over all its label sets, optionally only those whose labels contain {@code having}. */
  double sum(String family, String having) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().equals(family) || e.getKey().startsWith(family + "{"))
        .filter(e -> having == null || e.getKey().contains(having))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  List<String> namesStartingWith(String prefix) {
    return types.keySet().stream().filter(n -> n.startsWith(prefix)).sorted().toList();
  }
}
