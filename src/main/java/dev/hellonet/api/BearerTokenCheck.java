package dev.hellonet.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * With {@code api.token} set: requests that change something (POST, DELETE) need {@code Authorization: Bearer
 * <api.token>}; reads that show other clients' data or where the node keeps things (crawl jobs, {@code /api/counters},
 * {@code /metrics}, whose labels name the sequence store and the process) need that token or {@code api.readToken}.
 * The probes, the dashboard's files, the contract and {@code /api/status} stay open; what a caller may see there is
 * recorded under {@link #ACCESS} (the status shows details only to a caller with a token), and a wrong token is refused
 * on the status too. Tokens are hashed to the same length and compared with {@link MessageDigest#isEqual}, so the time
 * taken says nothing about how much of a guess was right, nor about the token's length. A security-policy handler to
 * vertx-web, so it runs before the body is read.
 */
final class BearerTokenCheck implements SecurityPolicyHandler {
  /** Routing-context key of the caller's {@link Access}. */
  static final String ACCESS = "hellonet.access";
  private static final String SCHEME = "Bearer ";

  /** What the caller's token lets it do. */
  enum Access { NONE, READ, FULL }

  private final byte[] expected;
  private final byte[] read;

  BearerTokenCheck(String token, String readToken) {
    this.expected = digest(token);
    this.read = readToken.isEmpty() ? null : digest(readToken);
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpMethod method = rc.request().method();
    boolean write = method == HttpMethod.POST || method == HttpMethod.DELETE;
    String path = rc.normalizedPath();
    boolean reads = path.equals(CrawlHandlers.BASE) || path.startsWith(CrawlHandlers.BASE + "/")
        || path.equals("/api/counters") || path.equals("/metrics");
    boolean guarded = write || reads || path.equals("/api/status");
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !guarded) {
      if (write) {
        refuse(rc, "this request needs an Authorization: Bearer <token> header (api.token)");
      } else if (reads) {
        refuse(rc, path + " is read with an Authorization: Bearer <token> header (api.token or api.readToken)");
      } else {
        rc.put(ACCESS, Access.NONE).next();
      }
      return;
    }
    if (header.length() < SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      refuse(rc, "the Authorization header must be Bearer <token>");
      return;
    }
    byte[] given = digest(header.substring(SCHEME.length()).trim());
    // Both comparisons always run, so the time does not tell which token a guess was closer to.
    boolean full = MessageDigest.isEqual(expected, given);
    boolean reader = read != null && MessageDigest.isEqual(read, given);
    if (!full && !reader) {
      refuse(rc, "the bearer token is not valid");
      return;
    }
    if (write && !full) {
      refuse(rc, "the read token (api.readToken) cannot start or cancel crawls; this needs api.token");
      return;
    }
    rc.put(ACCESS, full ? Access.FULL : Access.READ).next();
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
