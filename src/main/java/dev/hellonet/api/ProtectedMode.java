package dev.hellonet.api;

import dev.hellonet.config.HellonetConfig.ApiConfig;
import dev.hellonet.config.HellonetConfig.HttpConfig;
import dev.hellonet.net.LoopbackHost;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

/**
 * Safe defaults for an API that anyone on the network may reach (Redis's "protected mode"): with no {@code api.token}
 * and an {@code http.host} that is not loopback, requests that change something (POST, DELETE) are taken only from
 * loopback clients, so a fresh node on {@code 0.0.0.0} is usable from its own machine and cannot be made to crawl by
 * anyone else. The rule keys on the client's source address; reads stay open.
 */
final class ProtectedMode implements SecurityPolicyHandler {
  private final String httpHost;

  private ProtectedMode(String httpHost) {
    this.httpHost = httpHost;
  }

  /** The check for this configuration, or null when none is needed (a token is set, or the API binds loopback). */
  static ProtectedMode forConfig(HttpConfig http, ApiConfig api) {
    return api.authEnabled() || LoopbackHost.is(http.host()) ? null : new ProtectedMode(http.host());
  }

  /** Null when {@code method} from {@code client} (its numeric address; null if unknown) may pass, else why not. */
  String refusal(HttpMethod method, String client) {
    if (method != HttpMethod.POST && method != HttpMethod.DELETE) {
      return null;
    }
    if (client != null && LoopbackHost.is(client)) {
      return null;
    }
    return "this node has no api.token and http.host \"" + httpHost + "\" is not loopback, so it takes POST and "
        + "DELETE only from its own machine (a loopback address), not from " + (client == null ? "an unknown address"
        : client) + "; set api.token (HELLONET_API_TOKEN) and send it as Authorization: Bearer <token>, or bind "
        + "http.host to 127.0.0.1";
  }

  @Override
  public void handle(RoutingContext rc) {
    SocketAddress remote = rc.request().remoteAddress();
    String refusal = refusal(rc.request().method(), remote == null ? null : remote.hostAddress());
    if (refusal != null) {
      rc.fail(new ApiError(403, "forbidden", refusal));
      return;
    }
    rc.next();
  }
}
