package dev.hellonet.api;

import dev.hellonet.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vertx.openapi.validation.ValidatorException;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks an HTTP answer against the OpenAPI document the server is built from: an answer to a described operation must
 * be one of that operation's declared responses (status, media type, body schema); an answer with no operation (an
 * unknown route, a wrong method) and the refusals HTTP gives on any route must be the document's Error.
 */
final class ContractCheck {
  /**
   * Statuses any route may answer, before or besides its operation: the router's 404 and 405, and the requests HTTP
   * itself could not parse (414, 431, 400), which never reach an operation. The document's description lists them.
   */
  private static final Set<Integer> ANY_ROUTE = Set.of(404, 405, 414, 431);
  /** Served, but deliberately not described (the validator has no YAML media type; the dashboard is static files). */
  private static final Set<String> UNDESCRIBED = Set.of("/openapi.yaml", "/");

  private final Vertx vertx;
  private final OpenAPIContract contract;
  private final JsonSchema error;

  private ContractCheck(Vertx vertx, OpenAPIContract contract) {
    this.vertx = vertx;
    this.contract = contract;
    // The Error response as the document declares it, taken from an operation that refuses with it.
    this.error = contract.operation("startCrawl").getResponse(400).getContent().get("application/json").getSchema();
  }

  static ContractCheck load(Vertx vertx) throws Exception {
    return new ContractCheck(vertx, Await.result(OpenAPIContract.from(vertx, HttpApiVerticle.CONTRACT)));
  }

  OpenAPIContract contract() {
    return contract;
  }

  /** Fails unless the answer to {@code method uri} is one the document allows. */
  void check(HttpMethod method, String uri, int status, Map<String, String> headers, Buffer body) throws Exception {
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    String what = method + " " + abbreviate(uri) + " -> " + status;
    Operation operation = contract.findOperation(path, method);
    if (operation == null && status < 400 && (UNDESCRIBED.contains(path) || path.startsWith("/dashboard/"))) {
      return;
    }
    if (operation == null || (ANY_ROUTE.contains(status) && operation.getResponse(status) == null)) {
      assertError(what, status, headers, body);
      return;
    }
    // The validator looks the media type up verbatim; the contract's keys carry no parameters (charset, version).
    String type = headers.get("content-type");
    type = type == null ? null : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (type != null && type.startsWith("text/")) {
      checkText(what, operation, status, type, body);
      return;
    }
    try {
      Await.result(ResponseValidator.create(vertx, contract)
          .validate(ValidatableResponse.create(status, headers, body, type), operation.getOperationId()));
    } catch (ValidatorException e) {
      throw new AssertionError(what + " (" + operation.getOperationId() + ") breaks the contract: " + e.getMessage()
          + "\n" + abbreviate(body == null ? "" : body.toString()), e);
    }
  }

  /** The validator hands a text body to the schema as a Buffer, which no schema accepts; this checks it as a string. */
  private void checkText(String what, Operation operation, int status, String type, Buffer body) {
    Response response = operation.getResponse(status);
    if (response == null) {
      throw new AssertionError(what + ": " + operation.getOperationId() + " declares no response " + status);
    }
    MediaType declared = response.getContent().get(type);
    if (declared == null) {
      throw new AssertionError(what + ": " + operation.getOperationId() + " " + status + " is not declared as " + type);
    }
    OutputUnit result = contract.getSchemaRepository().validator(declared.getSchema()).validate(body.toString());
    if (!result.getValid()) {
      throw new AssertionError(what + ": body breaks the contract: " + result.getErrors());
    }
  }

  private void assertError(String what, int status, Map<String, String> headers, Buffer body) {
    if (status < 400) {
      throw new AssertionError(what + ": no operation in the contract answers this");
    }
    String type = headers.get("content-type");
    if (type == null || !type.startsWith("application/json")) {
      throw new AssertionError(what + ": an Error is application/json, not " + type);
    }
    OutputUnit result = contract.getSchemaRepository().validator(error).validate(new JsonObject(body));
    if (!result.getValid()) {
      throw new AssertionError(what + ": not the contract's Error: " + result.getErrors() + "\n" + body);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
