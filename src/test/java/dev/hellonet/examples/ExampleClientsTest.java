package dev.hellonet.examples;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.NeededTool;
import dev.hellonet.testing.TestConfig;
import dev.hellonet.testing.TestSite;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
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
 * Runs the clients in examples/ (Python with asyncio, Node.js) as the user would, against a real node and a loopback
 * shop: exit 0, every number distinct, the crawl's items printed; and exit 1 naming the cause when the API refuses.
 * A language whose interpreter is missing is skipped with a message, never passed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExampleClientsTest {
  private static final int CONNECTIONS = 4;
  private static final int REQUESTS = 500;
  private static final Pattern ITEM_LINE = Pattern.compile("(?m)^item (\\d+): (.*)$");

  // One node and one site for all the runs: each client run is a few hundred milliseconds, a node start is not.
  @TempDir
  static Path dir;

  private static Hellonet node;
  private static Vertx siteVertx;
  private static TestSite site;

  @BeforeAll
  static void start() throws Exception {
    node = Await.result(Hellonet.start(TestConfig.inDir(dir).crawlsLoopback().build()));
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
  void clientChecksNumbersAndPrintsTheCrawlsItems(String language) throws Exception {
    long repliesBefore = replies();
    ClientRun run = client(language, "--crawl-url", site.firstPage(), "--max-depth", String.valueOf(TestSite.PAGES),
        "--items", TestSite.ITEM_SELECTOR, "--field", "name=h3 a::text", "--field", "price=.price::text");

    assertEquals(0, run.exit(), run.describe());
    int total = CONNECTIONS * REQUESTS;
    assertTrue(run.out().contains("replies: " + total + ", distinct numbers: " + total + " "), run.describe());
    // The server agrees: exactly that many replies were sent (the node is idle once the client has read them all).
    assertEquals(total, replies() - repliesBefore, "hello.replies grew by the replies the client read");
    assertTrue(run.out().contains("completed"), run.describe());

    List<String> names = new ArrayList<>();
    Matcher m = ITEM_LINE.matcher(run.out());
    while (m.find()) {
      io.vertx.core.json.JsonObject item = new io.vertx.core.json.JsonObject(m.group(2));
      names.add(item.getString("name"));
      int n = names.size();
      assertEquals(TestSite.price(n), item.getString("price"), run.describe());
    }
    assertEquals(TestSite.itemNames(), names, run.describe());
    assertTrue(run.out().strip().endsWith("OK"), run.describe());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"python", "node"})
  void clientFailsWithTheApisReasonWhenTheCrawlIsRefused(String language) throws Exception {
    ClientRun run = client(language, "--crawl-url", site.firstPage(), "--field", "name=h3[");

    assertEquals(1, run.exit(), run.describe());
    assertTrue(run.err().contains("FAILED") && run.err().contains("400") && run.err().contains("extract.fields.name"),
        run.describe());
    assertTrue(!run.out().contains("OK"), run.describe());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"python", "node"})
  void clientFailsWhenTheServerIsNotThere(String language) throws Exception {
    ClientRun run = client(language, "--port", "1", "--connections", "1");

    assertEquals(1, run.exit(), run.describe());
    assertTrue(run.err().contains("FAILED"), run.describe());
  }

  private long replies() {
    return node.counters().snapshot().getJsonObject("hello").getJsonObject("total").getLong("replies");
  }

  private ClientRun client(String language, String... extra) throws Exception {
    List<String> command = new ArrayList<>();
    switch (language) {
      case "python" -> {
        command.add(ClientRun.executable("python3", "python3 is not installed: the Python example cannot be run"));
        command.add(Path.of("examples", "python", "hello_client.py").toString());
      }
      case "node" -> {
        String nodeJs = ClientRun.executable("node", "node is not installed (Debian: apt-get install nodejs): "
            + "the Node.js example cannot be run");
        int major = nodeMajor(nodeJs);
        NeededTool.require(major >= 20, () -> "the Node.js example needs Node 20 or newer; " + nodeJs
            + " is version " + major);
        command.add(nodeJs);
        command.add(Path.of("examples", "node", "hello_client.mjs").toString());
      }
      default -> fail("no client for " + language);
    }
    command.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(node.helloPort()),
        "--connections", String.valueOf(CONNECTIONS), "--requests", String.valueOf(REQUESTS),
        "--http", "http://127.0.0.1:" + node.httpPort(), "--crawl-timeout", "30"));
    // Later arguments win, so a test can override the defaults above.
    command.addAll(List.of(extra));
    return ClientRun.of(command, dir);
  }


  private static int nodeMajor(String nodeJs) throws Exception {
    Process p = new ProcessBuilder(nodeJs, "--version").redirectErrorStream(true).start();
    String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    Matcher m = Pattern.compile("^v(\\d+)\\.").matcher(version);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

}
