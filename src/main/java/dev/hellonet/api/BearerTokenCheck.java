package dev.hellonet.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Requires {@code Authorization: Bearer <api.token>} on requests that change something (POST, DELETE). Both tokens
 * are hashed to the same length and compared with {@link MessageDigest#isEqual}, so the time taken says nothing about
 * how much of a guess was right, nor about the token's length.
 */
final class BearerTokenCheck implements Handler<RoutingContext> {
  private static final String SCHEME = "Bearer ";
  private final byte[] expected;

  BearerTokenCheck(String token) {
    this.expected = digest(token);
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpMethod method = rc.request().method();
    if (method != HttpMethod.POST && method != HttpMethod.DELETE) {
      rc.next();
      return;
    }
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || header.length() < SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      refuse(rc, "this request needs an Authorization: Bearer <token> header");
      return;
    }
    if (!MessageDigest.isEqual(expected, digest(header.substring(SCHEME.length()).trim()))) {
      refuse(rc, "the bearer token is not valid");
      return;
    }
    rc.next();
  }

  private static void refuse(RoutingContext rc, String message) {
    rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"hellonet\"");
    rc.fail(new ApiError(401, "unauthorized", message));
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
