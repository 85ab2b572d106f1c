package dev.hellonet.cluster;

import dev.hellonet.config.ClusterSecret;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.configuration.parsing.ParserRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The cluster manager for a {@link ClusterPlan}: Vert.x's Infinispan cluster manager (the maps, locks and members that
 * vertx-infinispan's default file declares) on a JGroups stack built here, in code, so nothing on the class path or in
 * a system property can change it: TCP with mutual TLS on the member port ({@link MemberTls}), discovery by a TCP/IP
 * list (TCPPING) or the DNS of a Kubernetes headless Service (DNS_PING, no API access), never multicast, and failure
 * detection by heartbeats over the same TLS connections (no side port: FD_SOCK2 would open one in the clear).
 *
 * <p>vertx-infinispan 5.0.7 is built against Infinispan 14, which cannot start on JDK 24+ (its security code calls
 * {@code Subject.getSubject}, which those JDKs refuse); the pom puts it on Infinispan 15.2, which made
 * {@code DefaultCacheManager.getTransport()} private. The three cluster-manager methods that called it are answered
 * here instead ({@link Manager}).
 */
public final class ClusterStack {
  /**
   * Every member of hellonet's clusters uses this name. Not a secret (what keeps others out is the TLS handshake),
   * and it travels only inside TLS.
   */
  public static final String CLUSTER_NAME = "hellonet";
  /** Each member sends a heartbeat this often. */
  public static final long HEARTBEAT_MS = 1_000;
  /** A member not heard from for this long is suspected... */
  public static final long SUSPECT_AFTER_MS = 6_000;
  /** ...and removed if it does not answer a direct check within this (the bound the docs state adds both). */
  public static final long VERIFY_MS = 1_500;
  /** The most a killed member stays in the view: unheard for the suspect time, then the direct check, then a beat. */
  public static final long DEAD_MEMBER_BOUND_MS = SUSPECT_AFTER_MS + VERIFY_MS + HEARTBEAT_MS;
  /** After a merge, this node writes its own entries again this long after the merged view, and once more later. */
  static final long[] RESYNC_AFTER_MERGE_MS = {1_000, 5_000};
  private static final String VERTX_CACHES = "default-infinispan.xml";
  private static final Logger LOG = Logger.getLogger(ClusterStack.class.getName());

  private ClusterStack() {}

  /** The cluster manager Vert.x joins with: the member port refuses (and counts in {@code refusals}) keyless peers. */
  public static ClusterManager manager(ClusterPlan plan, Refusals refusals) {
    return new Manager(plan, plan.secret(), refusals);
  }

  /**
   * The clustered event bus: where it binds and what it advertises (by default, where the member port does), and
   * mutual TLS with the cluster's certificate (TLS 1.3), so a process without the key can neither connect to this
   * node's event-bus port nor pose as the target of a subscription. (Vert.x's default is to trust any certificate.)
   */
  public static EventBusOptions eventBus(ClusterPlan plan) {
    // Plain data, not key managers: Vert.x copies event bus options as JSON.
    EventBusOptions options = new EventBusOptions().setPort(plan.eventBusPort())
        .setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustAll(false)
        .setKeyCertOptions(new PfxOptions().setValue(Buffer.buffer(plan.secret().keyStoreBytes()))
            .setPassword(plan.secret().password()).setAlias(ClusterSecret.ALIAS))
        .setTrustOptions(new PfxOptions().setValue(Buffer.buffer(plan.secret().trustStoreBytes()))
            .setPassword(plan.secret().password()))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"));
    if (!plan.host().isEmpty()) {
      options.setHost(plan.host());
    }
    if (!plan.publicHost().isEmpty()) {
      options.setClusterPublicHost(plan.publicHost());
    }
    return options;
  }

  /** The JGroups protocols, bottom (the transport) first. */
  static List<Protocol> protocols(ClusterPlan plan, ClusterSecret secret, Refusals refusals) throws IOException {
    TCP tcp = new TCP();
    tcp.setBindPort(plan.port());
    tcp.setPortRange(0);
    if (!plan.host().isEmpty()) {
      tcp.setBindAddress(InetAddress.getByName(plan.host()));
    }
    if (!plan.publicHost().isEmpty()) {
      tcp.setExternalAddr(InetAddress.getByName(plan.publicHost()));
      tcp.setExternalPort(plan.port());
    }
    tcp.setSockConnTimeout(2_000);
    tcp.setSocketFactory(MemberTls.socketFactory(secret, refusals));
    Protocol discovery;
    if (plan.kubernetesService().isEmpty()) {
      List<InetSocketAddress> hosts = new ArrayList<>();
      for (String member : plan.members()) {
        int colon = member.lastIndexOf(':');
        hosts.add(new InetSocketAddress(member.substring(0, colon), Integer.parseInt(member.substring(colon + 1))));
      }
      discovery = new TCPPING().setInitialHosts(hosts).setPortRange(0);
    } else {
      discovery = new DNS_PING().setDNSQuery(plan.kubernetesService());
    }
    return List.of(
        tcp,
        discovery,
        new MERGE3().setMinInterval(2_000).setMaxInterval(5_000),
        new FD_ALL3().setTimeout(SUSPECT_AFTER_MS).setInterval(HEARTBEAT_MS),
        new VERIFY_SUSPECT2().setTimeout(VERIFY_MS),
        new NAKACK2().useMcastXmit(false),
        new UNICAST3(),
        new STABLE(),
        new GMS().setJoinTimeout(2_000).printLocalAddress(false),
        new UFC(),
        new MFC(),
        new FRAG4());
  }

  /** The channel, not connected yet: Infinispan connects it when the cache manager starts. */
  static JChannel channel(ClusterPlan plan, ClusterSecret secret, Refusals refusals) throws Exception {
    JChannel channel = new JChannel(protocols(plan, secret, refusals));
    // The logical name is the node id Vert.x and hellonet use (ClusterView, crawl job ids): a UUID, as everywhere
    // else, rather than JGroups' host name plus a 16-bit random number.
    channel.name(UUID.randomUUID().toString());
    // JGroups' diagnostics answer probes on a multicast (UDP) side port, in the clear: never started.
    channel.getProtocolStack().getTransport().getDiagnosticsHandler().setEnabled(false);
    return channel;
  }

  /**
   * Infinispan's configuration: vertx-infinispan's own caches (subscriptions, node info, the template of cluster-wide
   * maps), with the transport replaced by a channel on {@link #protocols}.
   */
  static DefaultCacheManager caches(JChannel channel) throws Exception {
    URL vertxCaches = InfinispanClusterManager.class.getClassLoader().getResource(VERTX_CACHES);
    if (vertxCaches == null) {
      throw new IllegalStateException(VERTX_CACHES + " (vertx-infinispan) is not on the class path");
    }
    ConfigurationBuilderHolder holder = new ParserRegistry().parse(vertxCaches);
    holder.getGlobalConfigurationBuilder().classLoader(ClusterStack.class.getClassLoader());
    holder.getGlobalConfigurationBuilder().jmx().disable();
    holder.getGlobalConfigurationBuilder().transport()
        .clusterName(CLUSTER_NAME)
        .removeProperty(JGroupsTransport.CHANNEL_CONFIGURATOR)
        .transport(new JGroupsTransport(channel));
    return new DefaultCacheManager(holder, false);
  }

  /**
   * vertx-infinispan's cluster manager over caches it did not make: it leaves starting and stopping them to their
   * maker, so this does both, on a worker thread (joining and leaving talk to the other members).
   *
   * <p>It also heals merges. Members that start at the same moment may each form a cluster of one, which JGroups then
   * merges; Infinispan keeps one side's copy of the replicated caches and drops the other's, and vertx-infinispan
   * 5.0.7 does not write its entries again, so the event-bus subscriptions and node info of the dropped side were lost
   * (its nodes stayed members but unreachable). This node therefore remembers what it registered and writes that and
   * its node info again after every merge ({@link #RESYNC_AFTER_MERGE_MS}); the writes are idempotent.
   */
  private static final class Manager extends InfinispanClusterManager {
    private final ClusterPlan plan;
    private final JChannel channel;
    private final DefaultCacheManager caches;
    private final Map<String, Set<RegistrationInfo>> registered = new ConcurrentHashMap<>();
    private Vertx vertx;

    Manager(ClusterPlan plan, ClusterSecret secret, Refusals refusals) {
      this(plan, channelFor(plan, secret, refusals));
    }

    private Manager(ClusterPlan plan, JChannel channel) {
      this(plan, channel, build(channel));
    }

    private Manager(ClusterPlan plan, JChannel channel, DefaultCacheManager caches) {
      super(caches);
      this.plan = plan;
      this.channel = channel;
      this.caches = caches;
    }

    @Override
    public List<String> getNodes() {
      List<Address> members = caches.getMembers();
      return members == null ? List.of() : members.stream().map(Address::toString).toList();
    }

    @Override
    public String clusterHost() {
      if (!plan.host().isEmpty()) {
        return plan.host();
      }
      InetAddress bound = channel.getProtocolStack().getTransport().getBindAddress();
      return bound == null ? null : bound.getHostAddress();
    }

    @Override
    public String clusterPublicHost() {
      return plan.publicHost().isEmpty() ? null : plan.publicHost();
    }

    private static JChannel channelFor(ClusterPlan plan, ClusterSecret secret, Refusals refusals) {
      try {
        return channel(plan, secret, refusals);
      } catch (IOException e) {
        throw new UncheckedIOException("cluster: " + e.getMessage(), e);
      } catch (Exception e) {
        throw new IllegalStateException("cluster: " + e.getMessage(), e);
      }
    }

    private static DefaultCacheManager build(JChannel channel) {
      try {
        return caches(channel);
      } catch (Exception e) {
        channel.close();
        throw new IllegalStateException("cluster: " + e.getMessage(), e);
      }
    }

    @Override
    public void init(Vertx vertx) {
      super.init(vertx);
      this.vertx = vertx;
    }

    @Override
    public void addRegistration(String address, RegistrationInfo info, Completable<Void> promise) {
      registered.computeIfAbsent(address, a -> ConcurrentHashMap.newKeySet()).add(info);
      super.addRegistration(address, info, promise);
    }

    @Override
    public void removeRegistration(String address, RegistrationInfo info, Completable<Void> promise) {
      registered.computeIfPresent(address, (a, infos) -> {
        infos.remove(info);
        return infos.isEmpty() ? null : infos;
      });
      super.removeRegistration(address, info, promise);
    }

    /** Writes this node's node info and registrations again (a merge may have dropped them). */
    private void resync() {
      NodeInfo info = getNodeInfo();
      if (info != null) {
        super.setNodeInfo(info, (v, e) -> {
          if (e != null) {
            LOG.warning("cluster: could not write this node's info again after a merge: " + e);
          }
        });
      }
      registered.forEach((address, infos) -> infos.forEach(reg -> super.addRegistration(address, reg, (v, e) -> {
        if (e != null) {
          LOG.warning("cluster: could not register " + address + " again after a merge: " + e);
        }
      })));
    }

    /** Infinispan calls it on its notification thread; the writes go through Vert.x timers. */
    @Listener(sync = false)
    public final class MergeListener {
      @Merged
      public void merged(MergeEvent event) {
        LOG.info("cluster: merged view of " + event.getNewMembers().size() + " members; writing this node's "
            + registered.size() + " subscribed addresses and its node info again");
        for (long delay : RESYNC_AFTER_MERGE_MS) {
          vertx.setTimer(delay, id -> resync());
        }
      }
    }

    @Override
    public void join(Completable<Void> promise) {
      vertx.<Void>executeBlocking(() -> {
        caches.start();
        caches.addListener(new MergeListener());
        return null;
      }, false).onComplete((v, e) -> {
        if (e != null) {
          promise.fail(e);
        } else {
          super.join(promise);
        }
      });
    }

    @Override
    public void leave(Completable<Void> promise) {
      super.leave((v, e) -> vertx.<Void>executeBlocking(() -> {
        caches.stop(); // closes the channel too
        return null;
      }, false).onComplete((ignored, stopFailure) -> promise.complete(null, e != null ? e : stopFailure)));
    }
  }
}
