package dev.hellonet.testing;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Starts Debian's headless Chromium through its chromedriver (packages {@code chromium} and {@code chromium-driver})
 * for browser tests. Where either is missing the calling test is skipped with a message saying what to install:
 * never passed without a browser.
 */
public final class HeadlessChromium {
  private static final List<String> BROWSERS = List.of("chromium", "chromium-browser");
  private static final List<String> DRIVERS = List.of("chromedriver");

  private HeadlessChromium() {
  }

  /** A browser with a fresh profile in {@code profile} and a window of the given size; skips the test without one. */
  public static ChromeDriver startOrSkip(Path profile, int width, int height) {
    Optional<Path> browser = onPath(BROWSERS);
    Optional<Path> driver = onPath(DRIVERS);
    NeededTool.require(browser.isPresent() && driver.isPresent(),
        () -> "no headless browser: needs Debian's chromium and chromium-driver on PATH (found browser: "
            + browser.map(Path::toString).orElse("none") + ", driver: " + driver.map(Path::toString).orElse("none")
            + "); install them with: apt-get install chromium chromium-driver (.ci/run does)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.get().toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--lang=en-US", "--window-size=" + width + "," + height,
        "--user-data-dir=" + profile.toAbsolutePath());
    // The driver is given explicitly, so Selenium Manager (which would try to download one) is never asked.
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(driver.get().toFile())
        .usingAnyFreePort()
        .withTimeout(Duration.ofSeconds(30))
        .build();
    return new ChromeDriver(service, options);
  }

  private static Optional<Path> onPath(List<String> names) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String name : names) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
