package dev.hellonet.testing;

import dev.hellonet.config.ConfigLoader;
import dev.hellonet.config.DottedKeys;
import dev.hellonet.config.HellonetConfig;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/** Builds configurations for in-process tests: the shipped defaults, loopback, free ports (TCP and HTTP), a private sequence file. */
public final class TestConfig {
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

  public TestConfig set(String dottedKey, Object value) {
    DottedKeys.set(json, dottedKey, value);
    return this;
  }

  public HellonetConfig build() {
    return HellonetConfig.from(json, Runtime.getRuntime().availableProcessors());
  }
}
