package dev.hellonet.config;

import dev.hellonet.config.HellonetConfig.ApiConfig;
import dev.hellonet.config.HellonetConfig.BridgeConfig;
import dev.hellonet.net.LoopbackHost;

/**
 * Refuses a bridge that anyone on the network could use: enabled, bound to an address other than loopback, and no
 * {@code api.token} to check, unless {@code bridge.allowWithoutToken} says that is meant. The bridge carries crawl
 * requests and node status, so an open one lets any reachable client start crawls from this node.
 */
final class BridgeExposure {
  private BridgeExposure() {}

  static void check(BridgeConfig bridge, ApiConfig api) {
    if (bridge.enabled() && !api.authEnabled() && !bridge.allowWithoutToken() && !LoopbackHost.is(bridge.host())) {
      throw new ConfigException("bridge.host: the bridge is enabled on \"" + bridge.host() + "\", which is not a "
          + "loopback address, and api.token is empty, so anyone who reaches port " + bridge.port() + " could use the "
          + "event bus (start crawls, read status). Set api.token (HELLONET_API_TOKEN), or bind bridge.host to "
          + "127.0.0.1, ::1 or localhost, or set bridge.allowWithoutToken to true if an open bridge is meant");
    }
  }
}
