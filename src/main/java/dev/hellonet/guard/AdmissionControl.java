package dev.hellonet.guard;

import dev.hellonet.config.HellonetConfig.ProtectionConfig;
import dev.hellonet.net.CidrSet;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node-wide admission decision for a new connection: the global cap on open connections, then (unless the source
 * is allow-listed) the per-address rate limit and the per-address cap. Shared by every hello-server instance, so
 * every piece of state is concurrent; it is touched once when a connection is accepted and once when it closes, never
 * per request.
 */
public final class AdmissionControl {
  private final int maxConnections;
  private final CidrSet allowList;
  private final AddressTable addresses;
  private final AtomicInteger open = new AtomicInteger();

  public AdmissionControl(ProtectionConfig config, int maxConnections) {
    this.maxConnections = maxConnections;
    this.allowList = config.allowList();
    this.addresses = new AddressTable(config.addressSlots(), config.maxConnectionsPerAddress(),
        config.newConnectionsPerSecond(), config.newConnectionsBurst());
  }

  /** The outcome of {@link #admit}: a key to release at close, or why the connection is refused. */
  public record Verdict(long key, boolean allowListed, Reason refusal) {
    public boolean admitted() {
      return refusal == null;
    }
  }

  /**
   * Decides on a connection from {@code source} (null for a source without an IP address, which only the global cap
   * applies to); an admitted one must be {@link #release}d exactly once.
   */
  public Verdict admit(InetAddress source, long nowNanos) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      return new Verdict(0, false, Reason.GLOBAL_LIMIT);
    }
    if (source == null || allowList.contains(source)) {
      return new Verdict(0, true, null); // holds a global place but no per-address one
    }
    long key = AddressTable.key(source);
    return switch (addresses.admit(key, nowNanos)) {
      case ADMITTED -> new Verdict(key, false, null);
      case RATE_LIMITED -> refuse(Reason.RATE_LIMIT);
      case OVER_ADDRESS_LIMIT -> refuse(Reason.PER_IP_LIMIT);
    };
  }

  private Verdict refuse(Reason reason) {
    open.decrementAndGet();
    return new Verdict(0, false, reason);
  }

  public void release(Verdict admitted) {
    if (!admitted.allowListed()) {
      addresses.release(admitted.key());
    }
    open.decrementAndGet();
  }

  /** Open admitted connections across all instances. */
  public int openConnections() {
    return open.get();
  }

  public int maxConnections() {
    return maxConnections;
  }
}
