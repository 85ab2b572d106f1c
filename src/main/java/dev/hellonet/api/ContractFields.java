package dev.hellonet.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;

import java.util.List;
import java.util.Locale;

/**
 * The property names the contract allows in the object a schema finding points into, so that an unknown field can be
 * answered with the known one it probably meant.
 */
final class ContractFields {
  private final OpenAPIContract contract;

  ContractFields(OpenAPIContract contract) {
    this.contract = contract;
  }

  /**
   * The names allowed beside the property an {@code additionalProperties} finding is about.
   *
   * @param schemaLocation the finding's absolute keyword location, e.g.
   *     {@code app:///#/components/schemas/CrawlExtract/additionalProperties}, or {@code app:///#/additionalProperties}
   *     for the request body's own schema
   */
  List<String> besides(HttpMethod method, String path, String schemaLocation) {
    if (schemaLocation == null || !schemaLocation.contains("#")) {
      return List.of();
    }
    String pointer = schemaLocation.substring(schemaLocation.indexOf('#') + 1).replaceFirst("/additionalProperties$", "");
    JsonObject raw = contract.getRawContract();
    // Inside a $ref the location is absolute in the contract; otherwise it is relative to the body's own schema.
    JsonObject root = pointer.startsWith("/components/") ? raw : bodySchema(raw, method, path);
    JsonObject schema = resolve(raw, root, pointer);
    JsonObject properties = schema == null ? null : schema.getJsonObject("properties");
    return properties == null ? List.of() : List.copyOf(properties.fieldNames());
  }

  private JsonObject bodySchema(JsonObject raw, HttpMethod method, String path) {
    Operation operation = contract.findOperation(path, method);
    if (operation == null) {
      return null;
    }
    JsonObject schema = raw.getJsonObject("paths", new JsonObject()).getJsonObject(operation.getOpenAPIPath(),
            new JsonObject()).getJsonObject(method.name().toLowerCase(Locale.ROOT), new JsonObject())
        .getJsonObject("requestBody", new JsonObject()).getJsonObject("content", new JsonObject())
        .getJsonObject("application/json", new JsonObject()).getJsonObject("schema");
    return deref(raw, schema);
  }

  /** Walks a JSON pointer from {@code root}, following local {@code $ref}s on the way. */
  private static JsonObject resolve(JsonObject raw, JsonObject root, String pointer) {
    JsonObject at = deref(raw, root);
    for (String part : pointer.split("/")) {
      if (at == null || part.isEmpty()) {
        continue;
      }
      Object next = part.equals("$ref") ? at : at.getValue(part.replace("~1", "/").replace("~0", "~"));
      at = next instanceof JsonObject o ? deref(raw, o) : null;
    }
    return at;
  }

  private static JsonObject deref(JsonObject raw, JsonObject schema) {
    for (int hops = 0; schema != null && schema.getValue("$ref") instanceof String ref && ref.startsWith("#/")
        && hops < 16; hops++) {
      schema = resolve(raw, raw, ref.substring(1).replace("$ref", ""));
    }
    return schema;
  }
}
