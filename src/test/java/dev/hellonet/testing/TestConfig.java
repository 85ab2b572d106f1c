package dev.hellonet.testing;

import dev.hellonet.config.ConfigLoader;
import dev.hellonet.config.DottedKeys;
import dev.hellonet.config.HellonetConfig;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.List;

/** Builds configurations for in-process tests: the shipped defaults, loopback, free ports (TCP and HTTP), a private sequence file. */
public final class TestConfig {
  /**
   * {@code crawler.allow} for a test that crawls a site on this machine: the crawler denies loopback by default, so a
   * test that means to reach it says so.
   */
  public static final List<String> LOOPBACK_TARGETS = List.of("127.0.0.0/8", "::1/128");

  private final JsonObject json = ConfigLoader.defaults();

  private TestConfig(Path sequenceFile) {
    set("hello.host", "127.0.0.1");
    set("hello.port", 0);
    set("hello.instances", 2);
    set("sequence.file", sequenceFile.toString());
    set("shutdown.timeoutMs", 5_000);
    set("http.host", "127.0.0.1");
    set("http.port", 0);
    // One of each keeps in-process nodes light; tests of several instances set their own counts.
    set("http.instances", 1);
    set("crawler.instances", 1);
  }

  public static TestConfig inDir(Path dir) {
    return new TestConfig(dir.resolve("sequence"));
  }

  /** Lets the crawler reach loopback sites ({@link #LOOPBACK_TARGETS}), which it refuses by default. */
  public TestConfig crawlsLoopback() {
    return set("crawler.allow", new io.vertx.core.json.JsonArray(LOOPBACK_TARGETS));
  }

  public TestConfig set(String dottedKey, Object value) {
    DottedKeys.set(json, dottedKey, value);
    return this;
  }

  public HellonetConfig build() {
    return HellonetConfig.from(json, Runtime.getRuntime().availableProcessors());
  }
}
