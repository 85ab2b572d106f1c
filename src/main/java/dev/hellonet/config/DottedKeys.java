package dev.hellonet.config;

import io.vertx.core.json.JsonObject;

/** Dotted keys ({@code hello.port}) over nested JSON objects: the configuration's way of naming a value. */
public final class DottedKeys {
  private DottedKeys() {}

  /** Whether {@code key} names a value in {@code root} (which may be JSON null). */
  public static boolean has(JsonObject root, String key) {
    JsonObject parent = parent(root, key);
    return parent != null && parent.containsKey(last(key));
  }

  /** The value {@code key} names in {@code root}; null when there is none. */
  public static Object get(JsonObject root, String key) {
    JsonObject parent = parent(root, key);
    return parent == null ? null : parent.getValue(last(key));
  }

  /** Puts {@code value} under {@code key}; the objects on the way must exist. */
  public static void set(JsonObject root, String key, Object value) {
    JsonObject parent = parent(root, key);
    if (parent == null) {
      throw new IllegalArgumentException(key + ": no such object to set a value in");
    }
    parent.put(last(key), value);
  }

  /** The object that holds the last part of {@code key}, or null when a part on the way is missing or no object. */
  private static JsonObject parent(JsonObject root, String key) {
    String[] parts = key.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      if (!(node.getValue(parts[i]) instanceof JsonObject next)) {
        return null;
      }
      node = next;
    }
    return node;
  }

  private static String last(String key) {
    return key.substring(key.lastIndexOf('.') + 1);
  }
}
