package dev.hellonet.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.hellonet.config.ClusterSecret;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.ServerProcess;
import dev.hellonet.testing.TestClusterKeys;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PfxOptions;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks on a secured cluster, replayed on loopback against a real one-member cluster: a Hazelcast client that
 * knows the cluster's name (old or derived) gets no connection; a Hazelcast member under the old name "hellonet" does
 * not join; a process that joins the membership (as if it had sniffed the derived name) but holds another key cannot
 * send to a crawler address over the event bus; and a TLS connection without the cluster's certificate to the
 * event-bus port is refused.
 */
class ClusterIntrudersTest {
  private static final String CRAWLER = "hellonet.crawler.start@intruder-test";

  @Test
  void withoutTheKeyNothingJoinsReadsOrSends() throws Exception {
    ClusterSecret secret = TestClusterKeys.sharedSecret();
    int port = ServerProcess.freePort();
    int busPort = ServerProcess.freePort();
    ClusterPlan plan = new ClusterPlan(List.of("127.0.0.1:" + port), "", "127.0.0.1", "", port, busPort, secret);
    Vertx node = Await.result(Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(HazelcastSettings.eventBus(plan)))
        .withClusterManager(new HazelcastClusterManager(HazelcastSettings.of(plan))).buildClustered(), 60);
    try {
      AtomicInteger received = new AtomicInteger();
      Await.result(node.eventBus().consumer(CRAWLER, msg -> {
        received.incrementAndGet();
        msg.reply("crawled");
      }).completion());

      // (1) A Hazelcast client, with the name anyone knew before and with the derived one.
      for (String name : List.of("hellonet", secret.clusterName())) {
        ClientConfig client = new ClientConfig().setClusterName(name);
        client.getNetworkConfig().addAddress("127.0.0.1:" + port);
        client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
        assertThrows(IllegalStateException.class, () -> HazelcastClient.newHazelcastClient(client).shutdown(),
            "a client under " + (name.equals("hellonet") ? "the old name" : "the derived name") + " connected");
      }

      // (2) A member under the old name: it forms a cluster of its own.
      Config old = new Config().setClusterName("hellonet");
      old.setProperty("hazelcast.phone.home.enabled", "false");
      old.setProperty("hazelcast.wait.seconds.before.join", "1");
      old.getNetworkConfig().setPort(ServerProcess.freePort()).getJoin().getMulticastConfig().setEnabled(false);
      old.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
      old.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
      HazelcastInstance stranger = Hazelcast.newHazelcastInstance(old);
      try {
        assertEquals(1, stranger.getCluster().getMembers().size());
        assertEquals(1, ClusterView.of(node).nodeIds().size());
      } finally {
        stranger.shutdown();
      }

      // (3) A member that got in (it knows the derived name) but holds another key: nothing crosses the event bus.
      ClusterSecret other = TestClusterKeys.load(TestClusterKeys.fresh());
      int intruderPort = ServerProcess.freePort();
      ClusterPlan intruderPlan = new ClusterPlan(List.of("127.0.0.1:" + port), "", "127.0.0.1", "", intruderPort, 0,
          other);
      Config intruderConfig = HazelcastSettings.of(intruderPlan).setClusterName(secret.clusterName());
      // It even trusts the cluster's certificate (public: every handshake shows it); only its own key is wrong.
      Vertx intruder = Await.result(Vertx.builder()
          .with(new VertxOptions().setEventBusOptions(HazelcastSettings.eventBus(intruderPlan)
              .setTrustOptions(new PfxOptions().setValue(Buffer.buffer(secret.trustStoreBytes()))
                  .setPassword(secret.password()))))
          .withClusterManager(new HazelcastClusterManager(intruderConfig)).buildClustered(), 60);
      try {
        assertEquals(2, ClusterView.of(node).nodeIds().size(), "the intruder is in the membership");
        Throwable refused = assertThrows(Exception.class, () -> Await.result(intruder.eventBus()
            .request(CRAWLER, "{\"urls\":[\"http://127.0.0.1/secret\"]}", new DeliveryOptions().setSendTimeout(5_000)),
            30));
        System.out.println("ClusterIntrudersTest: the intruder's request failed: " + refused);
        assertEquals(0, received.get(), "the intruder's message reached the crawler address");
      } finally {
        Await.result(intruder.close(), 30);
      }

      // (4) TLS to the event-bus port without the cluster's certificate: no handshake.
      assertTrue(refusedWithoutCertificate(busPort), "the event bus accepted a client without the certificate");
    } finally {
      Await.result(node.close(), 30);
    }
  }

  private static boolean refusedWithoutCertificate(int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      // TLS 1.3: the server judges the client's (empty) certificate after the client's handshake is done.
      // A frame the event bus would have to parse; the server's alert about the missing certificate comes first.
      socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 1, 2, 3, 4});
      socket.getOutputStream().flush();
      socket.getInputStream().read();
      return false;
    } catch (SSLException e) {
      return true;
    } catch (IOException e) {
      return false; // a plain reset: the TLS session was accepted, and the frame turned away later
    }
  }
}
