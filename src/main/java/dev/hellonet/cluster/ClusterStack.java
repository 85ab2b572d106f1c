package dev.hellonet.cluster;

import dev.hellonet.config.ClusterSecret;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.configuration.parsing.ParserRegistry;
import org.infinispan.manager.DefaultCacheManager;
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
import java.util.UUID;

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
  private static final String VERTX_CACHES = "default-infinispan.xml";

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
   */
  private static final class Manager extends InfinispanClusterManager {
    private final ClusterPlan plan;
    private final JChannel channel;
    private final DefaultCacheManager caches;
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
    public void join(Completable<Void> promise) {
      vertx.<Void>executeBlocking(() -> {
        caches.start();
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
        caches.stop();
        return null;
      }, false).onComplete((ignored, stopFailure) -> promise.complete(null, e != null ? e : stopFailure)));
    }
  }
}
