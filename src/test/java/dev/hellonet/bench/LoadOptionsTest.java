package dev.hellonet.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command-line parsing: defaults, protocol-specific requests, escapes, and errors that name the option. */
class LoadOptionsTest {
  @Test
  void defaultsArePipelinedHellonetOnPort9000() {
    LoadOptions o = LoadOptions.parse();
    assertEquals(LoadOptions.Mode.PIPE, o.mode());
    assertEquals(9000, o.port());
    assertEquals(32, o.connections());
    assertEquals(1, o.depth());
    assertEquals(1, o.eventLoops());
    assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), o.request());
  }

  @Test
  void redisGetsARespIncrAndRequestEscapesAreDecoded() {
    LoadOptions redis = LoadOptions.parse("--protocol", "redis", "--depth", "64", "--warmup", "0.5");
    assertArrayEquals("*2\r\n$4\r\nINCR\r\n$14\r\nhellonet:bench\r\n".getBytes(StandardCharsets.US_ASCII),
        redis.request());
    assertEquals(64, redis.depth());
    assertEquals(0.5, redis.warmupSeconds());
    LoadOptions custom = LoadOptions.parse("--protocol", "redis", "--request", "INCR k\\r\\n");
    assertArrayEquals("INCR k\r\n".getBytes(StandardCharsets.US_ASCII), custom.request());
    assertEquals(0, LoadOptions.parse("--mode", "conn", "--request", "").request().length);
  }

  @Test
  void severalPortsAreReadInOrder() {
    LoadOptions o = LoadOptions.parse("--port", "9001, 9002,9003");
    assertEquals(java.util.List.of(9001, 9002, 9003), o.ports());
    assertEquals(9001, o.port());
    assertEquals(java.util.List.of(9000), LoadOptions.parse().ports());
  }

  @Test
  void badOptionsAreRejectedByName() {
    assertMessage("--port: must be between 1 and 65535; got 70000", "--port", "70000");
    assertMessage("--connections: must be a whole number between 1 and 100000; got 'many'", "--connections", "many");
    assertMessage("--port", "--port", "9000,x");
    assertMessage("--mode", "--mode", "burst");
    assertMessage("--depth 4: conn mode", "--mode", "conn", "--depth", "4");
    assertMessage("--protocol nginx", "--protocol", "nginx");
    assertMessage("--duration", "--duration", "0");
    assertMessage("--bogus", "--bogus", "1");
    assertMessage("--json needs a value", "--json");
    assertMessage("--request: pipe mode", "--request", "");
    assertMessage("unknown escape", "--request", "a\\q");
  }

  private static void assertMessage(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
