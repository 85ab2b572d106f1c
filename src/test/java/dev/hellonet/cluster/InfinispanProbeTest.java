package dev.hellonet.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.configuration.parsing.ParserRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.protocols.*;
import org.jgroups.protocols.pbcast.*;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Probe: does vertx-infinispan 5.0.7 run on Infinispan 15 under this JDK. */
class InfinispanProbeTest {
  static class Fixed extends InfinispanClusterManager {
    final DefaultCacheManager m;
    Fixed(DefaultCacheManager m) { super(m); this.m = m; }
    @Override public java.util.List<String> getNodes() {
      return m.getMembers().stream().map(Object::toString).toList();
    }
    @Override public String clusterHost() { return "127.0.0.1"; }
    @Override public String clusterPublicHost() { return null; }
  }

  static DefaultCacheManager caches(int port, int other) throws Exception {
    TCP tcp = new TCP();
    tcp.setBindAddress(InetAddress.getLoopbackAddress());
    tcp.setBindPort(port);
    tcp.setPortRange(0);
    JChannel ch = new JChannel(List.of(tcp,
        new TCPPING().setInitialHosts(List.of(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("127.0.0.1", other))).setPortRange(0),
        new MERGE3(), new FD_ALL3(), new VERIFY_SUSPECT2(), new NAKACK2().useMcastXmit(false), new UNICAST3(), new STABLE(),
        new GMS().setJoinTimeout(2000), new UFC(), new MFC(), new FRAG4()));
    ConfigurationBuilderHolder holder = new ParserRegistry().parse(
        InfinispanClusterManager.class.getClassLoader().getResource("default-infinispan.xml"));
    holder.getGlobalConfigurationBuilder().jmx().disable();
    holder.getGlobalConfigurationBuilder().transport().clusterName("probe")
        .removeProperty(JGroupsTransport.CHANNEL_CONFIGURATOR).transport(new JGroupsTransport(ch));
    DefaultCacheManager m = new DefaultCacheManager(holder, false);
    m.start();
    return m;
  }

  @Test
  void twoNodes() throws Exception {
    System.out.println("java " + Runtime.version());
    DefaultCacheManager a = caches(47901, 47902);
    DefaultCacheManager b = caches(47902, 47901);
    Vertx va = Vertx.builder().withClusterManager(new Fixed(a)).buildClustered()
        .await(60, TimeUnit.SECONDS);
    Vertx vb = Vertx.builder().withClusterManager(new Fixed(b)).buildClustered()
        .await(60, TimeUnit.SECONDS);
    try {
      vb.eventBus().consumer("probe", m -> m.reply("pong " + m.body())).completion().await(20, TimeUnit.SECONDS);
      Thread.sleep(1000);
      Object reply = va.eventBus().request("probe", "ping").await(20, TimeUnit.SECONDS).body();
      assertEquals("pong ping", reply);
      va.sharedData().getAsyncMap("m").compose(m -> m.put("k", "v")).await(20, TimeUnit.SECONDS);
      assertEquals("v", vb.sharedData().getAsyncMap("m").compose(m -> m.get("k")).await(20, TimeUnit.SECONDS));
      assertEquals(1L, va.sharedData().getCounter("c").compose(c -> c.incrementAndGet()).await(20, TimeUnit.SECONDS));
      assertEquals(2L, vb.sharedData().getCounter("c").compose(c -> c.incrementAndGet()).await(20, TimeUnit.SECONDS));
      va.sharedData().getLockWithTimeout("l", 5000).compose(l -> { l.release(); return io.vertx.core.Future.succeededFuture(); }).await(20, TimeUnit.SECONDS);
      System.out.println("PROBE OK members " + a.getMembers());
    } finally {
      va.close().await(30, TimeUnit.SECONDS);
      vb.close().await(30, TimeUnit.SECONDS);
      a.stop();
      b.stop();
    }
  }
}
