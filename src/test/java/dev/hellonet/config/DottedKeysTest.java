package dev.hellonet.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading and writing nested JSON by dotted key, as the loader, the typed configuration and the tests do. */
class DottedKeysTest {
  private final JsonObject root = new JsonObject("{\"hello\": {\"port\": 9000, \"host\": null}, \"transport\": \"auto\"}");

  @Test
  void readsNestedAndTopLevelValuesAndTellsMissingFromNull() {
    assertEquals(9000, DottedKeys.get(root, "hello.port"));
    assertEquals("auto", DottedKeys.get(root, "transport"));
    assertTrue(DottedKeys.has(root, "hello.host"), "a JSON null is a value");
    assertNull(DottedKeys.get(root, "hello.host"));
    assertFalse(DottedKeys.has(root, "hello.missing"));
    assertFalse(DottedKeys.has(root, "nothing.here"));
    assertFalse(DottedKeys.has(root, "transport.port"), "a string has no keys");
    assertNull(DottedKeys.get(root, "nothing.here"));
  }

  @Test
  void writesIntoExistingObjectsOnly() {
    DottedKeys.set(root, "hello.port", 0);
    DottedKeys.set(root, "hello.instances", 2);
    assertEquals(0, root.getJsonObject("hello").getInteger("port"));
    assertEquals(2, root.getJsonObject("hello").getInteger("instances"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DottedKeys.set(root, "nothing.here", 1));
    assertTrue(e.getMessage().startsWith("nothing.here"), e.getMessage());
  }
}
