package dev.hellonet.dashboard;

import dev.hellonet.testing.HeadlessChromium;
import dev.hellonet.testing.Http;
import dev.hellonet.testing.ProcessFixture;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's Nodes panel in a real headless Chromium against a real cluster of two node JVMs on loopback: both
 * nodes are listed live with the replies each served, and a node killed with SIGKILL turns departed in the panel,
 * keeping its figures and saying they may be short (it had no graceful stop to keep final ones). Leaves target/dashboard-nodes.png (or dashboard-nodes-failure.png).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NodesPanelBrowserTest {
  /** Under a thousand each, so the page shows them without grouping separators. */
  private static final int[] REPLIES = {300, 700};

  @TempDir
  Path dir;

  @RegisterExtension
  final ProcessFixture processes = new ProcessFixture();

  private ChromeDriver browser;
  private final List<ServerProcess> nodes = new ArrayList<>();

  @BeforeEach
  void start() {
    // The browser first: without one the test is skipped before any JVM starts.
    browser = HeadlessChromium.startOrSkip(dir.resolve("profile"), 1280, 1500);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void theNodesPanelListsEveryNodeAndShowsAKilledOneDeparted() throws Exception {
    try {
      nodesPanel();
    } catch (Exception | AssertionError e) {
      try {
        screenshot(Path.of("target", "dashboard-nodes-failure.png"));
      } catch (Exception shotFailed) {
        e.addSuppressed(shotFailed);
      }
      throw e;
    }
    screenshot(Path.of("target", "dashboard-nodes.png"));
  }

  private void nodesPanel() throws Exception {
    int[] clusterPorts = {ServerProcess.freePort(), ServerProcess.freePort()};
    String members = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1];
    Http[] http = new Http[2];
    int[] httpPorts = new int[2];
    for (int i = 0; i < 2; i++) {
      int httpPort = ServerProcess.freePort();
      httpPorts[i] = httpPort;
      Map<String, String> env = ProcessFixture.clusterNode(members, clusterPorts[i], httpPort, dir.resolve("sequence"));
      env.put("HELLONET_HELLO_INSTANCES", "1");
      env.put("HELLONET_CRAWLER_INSTANCES", "1");
      nodes.add(processes.launch(dir.resolve("node" + i), env));
      http[i] = new Http(httpPort);
    }
    for (ServerProcess node : nodes) {
      ProcessFixture.awaitLog(node, "hellonet ready", 1);
    }
    for (int i = 0; i < 2; i++) {
      try (LineClient client = LineClient.connect(nodes.get(i).port())) {
        client.send(LineClient.requests(REPLIES[i]));
        for (int r = 0; r < REPLIES[i]; r++) {
          client.readNumber();
        }
      }
    }
    // Each node's name (pid@host) as the API gives it, to find its row.
    String[] names = new String[2];
    for (int i = 0; i < 2; i++) {
      names[i] = http[i].get("/api/counters").body().getString("node"); // the node that answered
    }

    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    browser.get("http://127.0.0.1:" + httpPorts[0] + "/");
    wait.until(d -> {
      List<List<String>> rows = rows();
      return rows.size() == 2 && rows.stream().allMatch(r -> "live".equals(r.get(0)) && r.get(1).isEmpty());
    });
    for (int i = 0; i < 2; i++) {
      int node = i;
      wait.until(d -> row(names[node]).equals(List.of(names[node], "live", String.valueOf(REPLIES[node]))));
    }

    // Node 2 killed: out of the sums at once (unreachable), then departed once the cluster notices. Its figures stay,
    // and since it had no graceful stop to keep final ones, the page says they may be short.
    nodes.get(1).kill();
    nodes.get(1).awaitExit(20);
    WebDriverWait leave = new WebDriverWait(browser, Duration.ofSeconds(90));
    leave.until(d -> "departed".equals(state(names[1])));
    List<String> killed = row(names[1]);
    assertEquals("false", finalMark(names[1]), killed.toString());
    assertTrue(killed.get(1).startsWith("departed; figures as of ") && killed.get(1).endsWith(", may be short"),
        killed.toString());
    assertEquals(String.valueOf(REPLIES[1]), killed.get(2), "its figures stay: " + killed);
    assertEquals(List.of(names[0], "live", String.valueOf(REPLIES[0])), row(names[0]));
    JsonObject counters = http[0].get("/api/counters").body();
    assertEquals(2, counters.getJsonObject("cluster").getJsonArray("nodes").size(), counters.encodePrettily());
    assertTrue(browser.findElement(By.id("api-error")).getDomAttribute("hidden") != null,
        "no API error shown: " + browser.findElement(By.id("api-error")).getText());
  }

  /**
   * The panel's rows as [data-state, data-final, cell...], read in one script: the page replaces the rows at every
   * refresh, so rows found by one WebDriver call may be gone by the next.
   */
  @SuppressWarnings("unchecked")
  private List<List<String>> rows() {
    return (List<List<String>>) browser.executeScript("return Array.from(document.querySelectorAll("
        + "'#nodes tbody tr[data-state]')).map(r => [r.dataset.state, r.dataset.final || '']"
        + ".concat(Array.from(r.cells, c => c.textContent)));");
  }

  private List<String> rowOf(String name) {
    for (List<String> r : rows()) {
      if (r.size() > 2 && r.get(2).equals(name)) {
        return r;
      }
    }
    return List.of("", "");
  }

  /** The cells of the row whose first cell is {@code name}; empty if there is none. */
  private List<String> row(String name) {
    List<String> r = rowOf(name);
    return r.subList(2, r.size());
  }

  private String state(String name) {
    return rowOf(name).get(0);
  }

  private String finalMark(String name) {
    return rowOf(name).get(1);
  }

  private void screenshot(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }
}
