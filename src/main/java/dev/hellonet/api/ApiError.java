package dev.hellonet.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A refusal the API answers with: HTTP status, machine-readable code, a sentence, and details. */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String code;
  private final JsonArray details;

  public ApiError(int status, String code, String message, JsonArray details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details == null ? new JsonArray() : details;
  }

  public ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The response body: {@code {"error": code, "message": sentence, "details": [...]}}. */
  public JsonObject toJson() {
    return new JsonObject().put("error", code).put("message", getMessage()).put("details", details.copy());
  }
}
