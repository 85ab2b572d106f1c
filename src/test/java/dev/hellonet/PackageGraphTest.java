package dev.hellonet;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the package graph of the main code acyclic and pointing down, as README's architecture section draws it: a
 * package (with its subpackages) may use only packages on a lower layer, so no two can ever depend on each other. The graph is read
 * from the sources (imports and any fully qualified {@code dev.hellonet.*} name), so it needs no build step.
 */
class PackageGraphTest {
  /** Bottom first. A new package must be placed here on purpose; one layer may not use another package of its own. */
  static final List<Set<String>> LAYERS = List.of(
      Set.of("vertx", "bus"),                     // adapters over Vert.x internals; event-bus addresses
      Set.of("net"),                              // network primitives: CIDR sets, target rules, transports
      Set.of("config", "counters"),               // typed configuration; counters and their registry
      Set.of("guard", "sequence", "supervisor", "log"), // flood protection; the number store; the worker supervisor; log set-up
      Set.of("hello", "crawl", "api", "bridge"),  // the roles: TCP server, crawler, HTTP API, bus bridge
      Set.of("cluster"),                          // what spans nodes: the JGroups stack with TLS, cluster counters, crawl routing
      Set.of("app", "bench"),                     // one node: builds Vert.x, deploys the roles; tools that drive roles
      Set.of(""));                                // Main
  private static final Path MAIN = Path.of("src", "main", "java", "dev", "hellonet");
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.hellonet\\.([a-z]\\w*)?");
  private static final Pattern VERTX_INTERNAL =
      Pattern.compile("^import (static )?io\\.vertx\\.[\\w.]*\\.(impl|internal)\\.", Pattern.MULTILINE);

  @Test
  void everyPackageIsOnALayerAndUsesOnlyLowerOnes() throws IOException {
    Map<String, Set<String>> graph = graph();
    System.out.println("package graph (dev.hellonet.*, \"\" is Main): " + graph);
    Set<String> placed = new TreeSet<>();
    LAYERS.forEach(placed::addAll);
    assertEquals(placed, new TreeSet<>(graph.keySet()), "every main package, and only those, is on a layer");
    assertEquals(List.of(), violations(graph));
  }

  @Test
  void theCheckCatchesAnUpwardArrowAndOneWithinALayer() {
    Map<String, Set<String>> upward = new TreeMap<>(Map.of("net", Set.of("config"), "config", Set.of("net")));
    assertEquals(List.of("net -> config points up (layer 1 uses layer 2)"), violations(upward));
    Map<String, Set<String>> sideways = new TreeMap<>(Map.of("hello", Set.of("crawl"), "crawl", Set.of()));
    assertEquals(List.of("hello -> crawl stays on layer 4"), violations(sideways));
  }

  @Test
  void onlyTheVertxAdaptersImportVertxInternals() throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        if (!file.startsWith(MAIN.resolve("vertx")) && VERTX_INTERNAL.matcher(Files.readString(file)).find()) {
          offenders.add(MAIN.relativize(file).toString());
        }
      }
    }
    assertEquals(List.of(), offenders, "Vert.x internal or impl classes are used through dev.hellonet.vertx only");
  }

  /** Package (relative to dev.hellonet, "" for the root) to the other packages its sources name. */
  private static Map<String, Set<String>> graph() throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        // An area's subpackages (crawl.fetch, say) count as the area: the layers order areas, not their insides.
        Path dir = MAIN.relativize(file).getParent();
        String pkg = dir == null ? "" : dir.getName(0).toString();
        Set<String> uses = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
        String source = Files.readString(file).replaceFirst("(?m)^package [\\w.]+;", "");
        Matcher m = REFERENCE.matcher(source);
        while (m.find()) {
          String used = m.group(1) == null ? "" : m.group(1);
          if (!used.equals(pkg)) {
            uses.add(used);
          }
        }
      }
    }
    return graph;
  }

  /** Each arrow that does not point to a lower layer, in words. */
  static List<String> violations(Map<String, Set<String>> graph) {
    List<String> out = new ArrayList<>();
    graph.forEach((from, uses) -> {
      for (String to : uses) {
        int a = layerOf(from);
        int b = layerOf(to);
        if (b > a) {
          out.add(from + " -> " + to + " points up (layer " + a + " uses layer " + b + ")");
        } else if (b == a) {
          out.add(from + " -> " + to + " stays on layer " + a);
        }
      }
    });
    return out;
  }

  private static int layerOf(String pkg) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(pkg)) {
        return i;
      }
    }
    throw new AssertionError("package dev.hellonet." + pkg + " is on no layer of PackageGraphTest.LAYERS");
  }
}
