package dev.hellonet.api;

import dev.hellonet.vertx.VertxInternals;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.ValidatableRequest;

import java.util.Locale;

/**
 * Hands a request to the contract validator, after refusing what the validator would report less precisely: a body in
 * a media type the operation does not take (415) and a body that is not JSON at all (400 malformed_json). Media
 * types are compared case-insensitively, as HTTP defines them.
 */
final class JsonBodyExtractor implements RequestExtractor {
  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext rc, Operation operation) {
    RequestBody declared = operation.getRequestBody();
    Buffer body = rc.body() == null ? null : rc.body().buffer();
    String contentType = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String normalized = contentType == null ? null : contentType.trim().toLowerCase(Locale.ROOT);
    if (declared != null && (normalized != null || (body != null && body.length() > 0))) {
      if (normalized == null || declared.determineContentType(normalized) == null) {
        return Future.failedFuture(new ApiError(415, "unsupported_media_type",
            "send the body as one of " + declared.getContent().keySet() + "; got "
                + (contentType == null ? "no Content-Type" : "\"" + contentType + "\""),
            new JsonArray().add(new JsonObject().put("field", "Content-Type")
                .put("problem", "must be one of " + declared.getContent().keySet()))));
      }
      if (body != null && body.length() > 0) {
        try {
          Json.decodeValue(body);
        } catch (DecodeException e) {
          return Future.failedFuture(new ApiError(400, "malformed_json", "the body is not valid JSON: "
              + firstLine(e.getMessage())));
        }
      }
    }
    return RequestUtils.extract(rc.request(), operation, () -> Future.succeededFuture(body))
        .map(r -> VertxInternals.withContentType(r, normalized));
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no detail)";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
