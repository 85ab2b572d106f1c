package dev.hellonet.dashboard;

import dev.hellonet.app.Hellonet;
import dev.hellonet.bus.Addresses;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.HeadlessChromium;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.TestSite;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real headless Chromium against a real node: the replies chart moves when a TCP client gets
 * replies, a node that left without a final publish is shown as possibly short, a bad crawl request shows the API's
 * error, and a crawl started from the form shows its items while it runs and when it is done. Leaves screenshots in
 * target/: dashboard.png at the end, dashboard-error.png with the refused request, dashboard-failure.png if the test
 * fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int REPLIES = 3_000;

  @TempDir
  Path dir;

  private Vertx siteVertx;
  private Hellonet node;
  private ChromeDriver browser;

  @BeforeEach
  void start() throws Exception {
    // The browser first: without one the test is skipped before anything else starts.
    browser = HeadlessChromium.startOrSkip(dir.resolve("profile"), 1280, 1500);
    node = Await.result(Hellonet.start(TestConfig.inDir(dir).crawlsLoopback().set("http.host", "127.0.0.1").set("http.port", 0)
            .set("counters.publishIntervalMs", 200).build()));
    siteVertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (node != null) {
      Await.result(node.stop());
    }
    if (siteVertx != null) {
      Await.result(siteVertx.close(), 10);
    }
  }

  @Test
  void chartFollowsRepliesAndAFormCrawlShowsItsItemsAsTheyArrive() throws Exception {
    try {
      chartAndCrawl();
    } catch (Exception | AssertionError e) {
      // What the page looked like when it went wrong, for whoever reads the failure.
      try {
        screenshot(Path.of("target", "dashboard-failure.png"));
      } catch (Exception shotFailed) {
        e.addSuppressed(shotFailed);
      }
      throw e;
    }
    screenshot(Path.of("target", "dashboard.png"));
  }

  private void chartAndCrawl() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    browser.get("http://127.0.0.1:" + node.httpPort() + "/");
    assertEquals("hellonet dashboard", browser.getTitle());

    // The counters poll works and the chart has drawn at least one (idle) sample.
    wait.until(d -> attribute("replies-total", "data-value").equals("0")
        && Integer.parseInt(attribute("rps-chart", "data-points")) >= 1);
    assertEquals("0", attribute("rps-chart", "data-max"), "nothing was replied yet");
    String idleChart = chartImage();

    try (LineClient client = LineClient.connect(node.helloPort())) {
      client.send(LineClient.requests(REPLIES));
      for (int i = 0; i < REPLIES; i++) {
        client.readNumber();
      }
    }
    // Exact total once idle, a positive rate on the chart, and different pixels on the canvas.
    wait.until(d -> attribute("replies-total", "data-value").equals(String.valueOf(REPLIES)));
    wait.until(d -> Integer.parseInt(attribute("rps-chart", "data-max")) > 0);
    assertNotEquals(idleChart, chartImage(), "the chart was redrawn with the new rate");
    assertTrue(browser.findElement(By.id("rps-chart")).getAttribute("aria-label").contains("peak"));
    wait.until(d -> text("conn-accepted").equals("1") && text("conn-closed").equals("1")
        && text("conn-open").equals("0"));

    // A node that left without a final publish (as a killed one does) is listed as such: its figures may be short.
    // Its last snapshot goes where a cluster member's would, under an id no member has.
    JsonObject lastPublish = new JsonObject().put("node", "4242@gone").put("time", System.currentTimeMillis())
        .put("hello", new JsonObject().put("total", new JsonObject().put("replies", 77)));
    Await.result(node.vertx().sharedData().<String, JsonObject>getAsyncMap(Addresses.COUNTERS_LAST_MAP)
        .compose(map -> map.put("killed-node", lastPublish)));
    WebElement killed = wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#nodes tr[data-state='departed'][data-final='false']")));
    assertTrue(killed.getText().contains("4242@gone") && killed.getText().contains("may be short")
        && killed.getText().contains("77"), killed.getText());

    try (TestSite site = TestSite.holdingLastPage(siteVertx)) {
      // A request the API refuses: its error is shown next to the form, naming the field.
      fill("crawl-urls", site.firstPage());
      fill("crawl-concurrency", "100000");
      browser.findElement(By.id("crawl-submit")).click();
      WebElement formError = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("form-error")));
      // The same words the API answers with: the field, and a reason a person can act on.
      assertTrue(formError.getText().contains("concurrency: must be at most 4096, not 100000"), formError.getText());
      assertTrue(formError.getText().contains("400"), formError.getText());
      screenshot(Path.of("target", "dashboard-error.png"));

      fill("crawl-concurrency", "4");
      fill("crawl-depth", String.valueOf(TestSite.PAGES));
      fill("crawl-items", TestSite.ITEM_SELECTOR);
      fill("crawl-fields", "name = h3 a::text\nprice = .price::text\nlink = h3 a::attr(href)");
      browser.findElement(By.id("crawl-submit")).click();
      wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("form-error")));

      // The last page is held back: the items of the first pages appear while the job still runs.
      int beforeLast = (TestSite.PAGES - 1) * TestSite.ITEMS_PER_PAGE;
      wait.until(d -> itemRows().size() == beforeLast);
      assertEquals("running", attribute("items-status", "data-status"));
      String jobId = attribute("items-status", "data-id");
      wait.until(d -> !d.findElements(By.cssSelector("#jobs tr[data-id='" + jobId + "'][data-status='running']"))
          .isEmpty());

      site.releaseLastPage();
      wait.until(d -> attribute("items-status", "data-status").equals("completed"));
      List<String> headers = browser.findElements(By.cssSelector("#items thead th")).stream()
          .map(WebElement::getText).toList();
      int nameColumn = headers.indexOf("name");
      assertTrue(nameColumn > 0 && headers.contains("price") && headers.contains("link"), headers.toString());
      List<String> names = itemRows().stream()
          .map(row -> row.findElements(By.tagName("td")).get(nameColumn).getText()).toList();
      assertEquals(TestSite.itemNames(), names);
      String firstRow = itemRows().get(0).getText();
      assertTrue(firstRow.contains(TestSite.price(1)), firstRow);
      assertTrue(firstRow.contains("/shop/item/1"), firstRow);
      wait.until(d -> !d.findElements(By.cssSelector("#jobs tr[data-id='" + jobId + "'][data-status='completed']"))
          .isEmpty());
      wait.until(d -> Integer.parseInt(attribute("crawler-fetched", "data-value")) >= TestSite.PAGES);
    }
    assertTrue(browser.findElement(By.id("api-error")).getAttribute("hidden") != null,
        "no API error shown: " + browser.findElement(By.id("api-error")).getText());
  }

  private void screenshot(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  private List<WebElement> itemRows() {
    return browser.findElements(By.cssSelector("#items tbody tr.item"));
  }

  private String attribute(String id, String name) {
    String value = browser.findElement(By.id(id)).getAttribute(name);
    return value == null ? "" : value;
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private String chartImage() {
    return (String) browser.executeScript("return document.getElementById('rps-chart').toDataURL();");
  }

  private void fill(String id, String value) {
    WebElement field = browser.findElement(By.id(id));
    field.clear();
    field.sendKeys(value);
  }
}
