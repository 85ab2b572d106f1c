package dev.hellonet.cluster;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Connections a cluster port refused because the peer did not prove it holds the cluster's key: every one counted,
 * each peer address logged once (a scanner or a misconfigured node retrying every second would otherwise fill the
 * log), up to {@link #MAX_LOGGED} addresses.
 */
public final class Refusals {
  /** Peer addresses remembered for the once-only log line; refusals past them are counted, not logged. */
  static final int MAX_LOGGED = 1024;
  private static final Logger LOG = Logger.getLogger(Refusals.class.getName());

  private final String port;
  private final LongAdder count = new LongAdder();
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /** {@code port} names the port in log lines ("member port 5701"). */
  public Refusals(String port) {
    this.port = port;
  }

  /** One refused connection from {@code peer}; {@code reason} is what the TLS handshake said. */
  public void refused(InetAddress peer, String reason) {
    count.increment();
    String address = peer == null ? "?" : peer.getHostAddress();
    if (logged.size() < MAX_LOGGED && logged.add(address)) {
      LOG.warning("cluster " + port + ": refused a connection from " + address + " that did not prove it holds the "
          + "cluster's key (" + reason + "); further refusals of " + address + " are counted, not logged");
    }
  }

  /** Connections refused so far. */
  public long count() {
    return count.sum();
  }

  /** Distinct peers refused so far (up to {@link #MAX_LOGGED}). */
  public int peers() {
    return logged.size();
  }
}
