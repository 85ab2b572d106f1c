package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns whatever made a request fail (a refusal of ours, a contract violation, an event-bus failure, a status set by
 * vertx-web) into the API's error. Only a fault of the server itself becomes a 500.
 */
final class ErrorMapper {
  private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

  private ErrorMapper() {}

  static ApiError map(Throwable failure, int statusCode) {
    return map(failure, statusCode, location -> List.of());
  }

  /**
   * @param besides for an unknown body field, the names the contract allows beside it (by the validator's schema
   *     location), so the answer can suggest the one meant
   */
  static ApiError map(Throwable failure, int statusCode, Function<String, Collection<String>> besides) {
    if (failure instanceof ApiError e) {
      return e;
    }
    if (failure instanceof HttpException e) {
      if (e.getCause() instanceof ValidatorException v) {
        return fromValidator(v, besides);
      }
      if (e.getCause() instanceof ApiError a) {
        return a;
      }
      return fromStatus(e.getStatusCode(), e.getPayload());
    }
    if (failure instanceof ValidatorException v) {
      return fromValidator(v, besides);
    }
    if (failure instanceof DecodeException e) {
      return new ApiError(400, "malformed_json", "the body is not valid JSON: " + e.getMessage());
    }
    if (failure instanceof ReplyException e) {
      return fromReply(e);
    }
    if (failure == null) {
      return fromStatus(statusCode, null);
    }
    return internal("request failed inside the server", failure);
  }

  /**
   * A fault of the server: logged in full under a fresh reference, answered with only that reference, so that
   * internal messages (paths, class names, state) never reach a client while an operator can still find the cause.
   */
  static ApiError internal(String what, Throwable cause) {
    String reference = UUID.randomUUID().toString().substring(0, 8);
    LOG.log(Level.WARNING, what + " [reference " + reference + "]", cause);
    return new ApiError(500, "internal", "internal error (reference " + reference
        + "; the server log has the details)");
  }

  /** 413 with the limit itself, so a client knows how far to cut. */
  static ApiError bodyTooLarge(long maxBodyBytes) {
    return new ApiError(413, "body_too_large", "the body is larger than this server accepts: api.maxBodyBytes is "
        + maxBodyBytes + " bytes");
  }

  static ApiError fromStatus(int status, String detail) {
    String extra = detail == null || detail.isBlank() ? "" : " (" + detail + ")";
    return switch (status) {
      case 400 -> new ApiError(400, "bad_request", "the request is malformed" + extra);
      case 401 -> new ApiError(401, "unauthorized", "a valid bearer token is required");
      case 404 -> new ApiError(404, "not_found", "no such resource; see /openapi.yaml for the API");
      case 405 -> new ApiError(405, "method_not_allowed", "this resource does not support that method");
      case 413 -> new ApiError(413, "body_too_large", "the body is larger than this server accepts (api.maxBodyBytes)");
      case 414 -> new ApiError(414, "uri_too_long", "the request URI is too long");
      case 415 -> new ApiError(415, "unsupported_media_type", "send the body as application/json");
      case 431 -> new ApiError(431, "headers_too_large", "the request headers are too large");
      case 503 -> new ApiError(503, "unavailable", "the service is not available now" + extra);
      default -> status >= 400 && status < 500
          ? new ApiError(status, "bad_request", "the request was refused" + extra)
          : internal("request failed with status " + status + extra, null);
    };
  }

  /** {@code The value of query parameter limit is invalid. Reason: 5000 is greater than 1000} */
  private static final Pattern PARAMETER = Pattern.compile(
      "The value of (?:query|path|header|cookie) parameter (\\S+) is invalid\\. Reason: (.*)", Pattern.DOTALL);

  /**
   * A request that breaks the contract: the message and every detail name the parameter or body field at fault, with
   * a human reason ({@link ValidationFaults}).
   */
  static ApiError fromValidator(ValidatorException v, Function<String, Collection<String>> besides) {
    OutputUnit result = v instanceof SchemaValidationException s ? s.getOutputUnit() : null;
    Matcher parameter = PARAMETER.matcher(v.getMessage());
    List<ValidationFaults.Fault> faults = parameter.matches()
        ? List.of(ValidationFaults.ofParameter(parameter.group(1),
            parameter.group(2).replaceFirst(" at /?$", ""), result))
        : result == null ? List.of() : ValidationFaults.ofBody(result, besides);
    JsonArray details = new JsonArray();
    faults.forEach(f -> details.add(new JsonObject().put("field", f.field()).put("problem", f.problem())));
    String message = faults.isEmpty() ? v.getMessage() : faults.getFirst().field() + ": " + faults.getFirst().problem();
    return new ApiError(400, "invalid_request", message, details);
  }

  /** JSON pointer (as the schema validator reports it) to the path the crawler uses: {@code /urls/0} is {@code urls[0]}. */
  static String field(String pointer) {
    if (pointer == null) {
      return "";
    }
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    StringBuilder out = new StringBuilder();
    for (String part : p.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      String name = part.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) {
        out.append('[').append(name).append(']');
      } else {
        out.append(out.isEmpty() ? "" : ".").append(name);
      }
    }
    return out.toString();
  }

  /** An event-bus failure from the role that answered; the codes are the ones in {@link Addresses}. */
  static ApiError fromReply(ReplyException e) {
    if (e.failureType() == ReplyFailure.NO_HANDLERS) {
      return new ApiError(503, "unavailable", "that part of the service is not running");
    }
    if (e.failureType() == ReplyFailure.TIMEOUT) {
      return new ApiError(503, "unavailable", "that part of the service did not answer in time");
    }
    String message = e.getMessage() == null ? "" : e.getMessage();
    return switch (e.failureCode()) {
      case Addresses.FAILURE_INVALID -> {
        int colon = message.indexOf(": ");
        JsonArray details = new JsonArray();
        if (colon > 0) {
          details.add(new JsonObject().put("field", message.substring(0, colon))
              .put("problem", message.substring(colon + 2)));
        }
        yield new ApiError(400, "invalid_request", message, details);
      }
      case Addresses.FAILURE_NOT_FOUND -> new ApiError(404, "not_found", message);
      case Addresses.FAILURE_BUSY -> new ApiError(429, "busy", message);
      case Addresses.FAILURE_UNAVAILABLE -> new ApiError(503, "unavailable", message);
      default -> internal("event-bus request failed (" + e.failureCode() + "): " + message, null);
    };
  }
}
