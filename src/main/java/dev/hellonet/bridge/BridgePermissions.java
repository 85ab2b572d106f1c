package dev.hellonet.bridge;

import dev.hellonet.bus.Addresses;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;

import java.util.List;
import java.util.Set;

/**
 * What may cross the bridge, and nothing else: in, requests to the crawler and for the counters and the node's status;
 * out, the counters publication and crawl progress events. Exact addresses, no patterns.
 */
final class BridgePermissions {
  /** Addresses a client may {@code send} to (request-reply). No address accepts an inbound {@code publish}. */
  static final Set<String> INBOUND = Set.of(
      Addresses.CRAWL_START, Addresses.CRAWL_GET, Addresses.CRAWL_LIST, Addresses.CRAWL_CANCEL,
      Addresses.COUNTERS_GET, Addresses.NODE_STATUS);

  /** Addresses a client may {@code register} for. */
  static final Set<String> OUTBOUND = Set.of(Addresses.COUNTERS, Addresses.CRAWL_PROGRESS);

  private BridgePermissions() {}

  /** The same lists for the stock bridge, which checks them again behind the guard. */
  static BridgeOptions options() {
    BridgeOptions options = new BridgeOptions();
    for (String address : sorted(INBOUND)) {
      options.addInboundPermitted(new PermittedOptions().setAddress(address));
    }
    for (String address : sorted(OUTBOUND)) {
      options.addOutboundPermitted(new PermittedOptions().setAddress(address));
    }
    return options;
  }

  private static List<String> sorted(Set<String> addresses) {
    return addresses.stream().sorted().toList();
  }
}
