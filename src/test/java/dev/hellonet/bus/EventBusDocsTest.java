package dev.hellonet.bus;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/event-bus.md and the Javadoc of {@link Addresses} name exactly the counters a real node registers. */
class EventBusDocsTest {
  @TempDir
  Path dir;

  @Test
  void theDocumentedSnapshotNamesTheRealCounters() throws Exception {
    String doc = Files.readString(Path.of("docs", "event-bus.md"));
    int from = doc.indexOf("```json", doc.indexOf("## Counters snapshot")) + "```json".length();
    JsonObject documented = new JsonObject(doc.substring(from, doc.indexOf("```", from)));
    Hellonet node = Await.result(Hellonet.start(TestConfig.inDir(dir).build()));
    JsonObject real;
    try {
      real = node.counters().snapshot();
    } finally {
      Await.result(node.stop());
    }
    for (String role : documented.fieldNames()) {
      if (documented.getValue(role) instanceof JsonObject group) {
        assertTrue(real.containsKey(role), "documented role " + role + " is registered");
        assertEquals(new TreeSet<>(real.getJsonObject(role).getJsonObject("total").fieldNames()),
            new TreeSet<>(group.getJsonObject("total").fieldNames()), "counters of role " + role);
      }
    }
    // Addresses.COUNTERS lists each role as "{@code role} (counter, counter, ...)".
    String javadoc = Files.readString(Path.of("src", "main", "java", "dev", "hellonet", "bus", "Addresses.java"))
        .replaceAll("\\n\\s*\\* ?", " ");
    Matcher roles = Pattern.compile("\\{@code (\\w+)} \\(([^)]*)\\)").matcher(javadoc);
    Set<String> listedRoles = new TreeSet<>();
    while (roles.find()) {
      String role = roles.group(1);
      Set<String> listed = new TreeSet<>(Pattern.compile("[a-z][A-Za-z]*").matcher(roles.group(2)).results()
          .map(MatchResult::group).filter(w -> !Set.of("and", "the", "abuse", "counters").contains(w)).toList());
      assertTrue(real.containsKey(role), "Addresses lists role " + role + ", which no node registers");
      assertEquals(new TreeSet<>(real.getJsonObject(role).getJsonObject("total").fieldNames()), listed,
          "Addresses.COUNTERS on role " + role);
      listedRoles.add(role);
    }
    Set<String> realRoles = new TreeSet<>();
    real.fieldNames().stream().filter(r -> real.getValue(r) instanceof JsonObject).forEach(realRoles::add);
    assertEquals(realRoles, listedRoles, "roles Addresses.COUNTERS lists");
  }
}
