package dev.hellonet.examples;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.TestConfig;
import dev.hellonet.testing.TestSite;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the event bus bridge clients in examples/ (Python with asyncio, Node.js with net) as a user would, against a
 * real node with the bridge on and an API token, and a loopback shop: each follows its crawl through the published
 * progress events, prints the shop's items and a counters publication; without the token each fails naming the
 * refusal. A language whose interpreter is missing is skipped with a message, never passed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BridgeExamplesTest {
  private static final String TOKEN = "examples-token-0123456789";
  private static final Pattern ITEM_LINE = Pattern.compile("(?m)^item (\\d+): (.*)$");

  @TempDir
  static Path dir;

  private static Hellonet node;
  private static Vertx siteVertx;
  private static TestSite site;

  @BeforeAll
  static void start() throws Exception {
    node = Await.result(Hellonet.start(TestConfig.inDir(dir).crawlsLoopback()
            .set("bridge.enabled", true)
            .set("bridge.port", 0)
            .set("api.token", TOKEN)
            .set("counters.publishIntervalMs", 200)
            .set("events.crawlProgressEveryPages", 2)
            .set("crawler.downloadDir", dir.resolve("downloads").toString())
            .build()));
    siteVertx = Vertx.vertx();
    site = TestSite.start(siteVertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (site != null) {
      site.close();
    }
    if (siteVertx != null) {
      Await.result(siteVertx.close(), 10);
    }
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"python", "node"})
  void clientFollowsTheCrawlsProgressAndPrintsItsItemsAndTheCounters(String language) throws Exception {
    ClientRun run = client(language, "--token", TOKEN);

    assertEquals(0, run.exit(), run.describe());
    // A node names its jobs by owner (<node>.<instance>.j-...); the progress events below carry that same id.
    Matcher started = Pattern.compile("(?m)^crawl ([0-9a-f]{12}\\.[0-9]+\\.j-[0-9a-z-]+): started$")
        .matcher(run.out());
    assertTrue(started.find(), run.describe());
    String id = started.group(1);
    // Followed through publications, not polling: the job's own events, its pages in steps of 2, then its end.
    assertTrue(run.out().contains("progress " + id + ": state running"), run.describe());
    assertTrue(run.out().contains("progress " + id + ": pages running, 2 pages final"), run.describe());
    assertTrue(run.out().contains("progress " + id + ": state completed"), run.describe());
    assertTrue(run.out().indexOf("state running") < run.out().indexOf("state completed"), run.describe());

    List<String> names = new ArrayList<>();
    Matcher m = ITEM_LINE.matcher(run.out());
    while (m.find()) {
      JsonObject item = new JsonObject(m.group(2));
      names.add(item.getString("name"));
      assertEquals(TestSite.price(names.size()), item.getString("price"), run.describe());
    }
    assertEquals(TestSite.itemNames(), names, run.describe());
    // The first publication may come before the crawl started, so its figures are not checked, only its form.
    assertTrue(Pattern.compile("(?m)^counters from \\S+: hello replies \\d+, crawl jobs started \\d+$")
        .matcher(run.out()).find(), run.describe());
    assertTrue(run.out().strip().endsWith("OK"), run.describe());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"python", "node"})
  void clientWithoutTheTokenFailsNamingTheRefusal(String language) throws Exception {
    ClientRun run = client(language, "--token", "");

    assertEquals(1, run.exit(), run.describe());
    assertTrue(run.err().contains("FAILED") && run.err().contains("unauthorized"), run.describe());
    assertTrue(!run.out().contains("OK"), run.describe());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"python", "node"})
  void ctrlCWhileFollowingACrawlLeavesCleanlyWith130(String language) throws Exception {
    // A shop whose last page never answers until released: the crawl is still running when Ctrl-C comes.
    try (TestSite held = TestSite.holdingLastPage(siteVertx)) {
      List<String> command = command(language, held.firstPage(), "--token", TOKEN);
      Path out = Files.createTempFile(dir, "client", ".out");
      Path err = Files.createTempFile(dir, "client", ".err");
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(out).contains(": started")) {
          assertTrue(p.isAlive() && System.nanoTime() < deadline, "the client did not start its crawl:\n"
              + Files.readString(out) + Files.readString(err));
          Thread.sleep(50);
        }
        long bridgeClients = bridgeConnectionsActive();
        assertTrue(bridgeClients >= 1, "the client is connected");
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the client did not leave on Ctrl-C");
        ClientRun run = new ClientRun(command, p.exitValue(), Files.readString(out), Files.readString(err));
        assertEquals(130, run.exit(), run.describe());
        assertTrue(run.err().contains("cancelled") && !run.out().contains("OK"), run.describe());
        // Its connection, and with it its subscriptions, are gone from the bridge.
        long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (bridgeConnectionsActive() != bridgeClients - 1) {
          assertTrue(System.nanoTime() < gone, "the bridge still holds the client's connection");
          Thread.sleep(50);
        }
      } finally {
        p.destroyForcibly();
        held.releaseLastPage();
      }
    }
  }

  private static long bridgeConnectionsActive() {
    return node.counters().snapshot().getJsonObject("bridge").getJsonObject("total").getLong("connectionsActive");
  }

  private ClientRun client(String language, String... extra) throws Exception {
    return ClientRun.of(command(language, site.firstPage(), extra), dir);
  }

  private List<String> command(String language, String crawlUrl, String... extra) {
    List<String> command = new ArrayList<>();
    switch (language) {
      case "python" -> {
        command.add(ClientRun.executable("python3", "python3 is not installed: the Python bridge example cannot be run"));
        command.add(Path.of("examples", "python", "bridge_client.py").toString());
      }
      case "node" -> {
        command.add(ClientRun.executable("node", "node is not installed (Debian: apt-get install nodejs): "
            + "the Node.js bridge example cannot be run"));
        command.add(Path.of("examples", "node", "bridge_client.mjs").toString());
      }
      default -> fail("no client for " + language);
    }
    command.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(node.bridgePort()),
        "--crawl-url", crawlUrl, "--max-depth", String.valueOf(TestSite.PAGES),
        "--items", TestSite.ITEM_SELECTOR, "--field", "name=h3 a::text", "--field", "price=.price::text",
        "--crawl-timeout", "30"));
    command.addAll(List.of(extra));
    return command;
  }
}
