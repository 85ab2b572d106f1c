package dev.hellonet.cluster;

import dev.hellonet.config.ClusterSecret;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.ServerProcess;
import dev.hellonet.testing.TestClusterKeys;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.net.PfxOptions;
import org.jgroups.JChannel;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.Protocol;
import org.jgroups.util.DefaultSocketFactory;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks on a secured cluster, replayed on loopback against a real one-member cluster: a raw TCP client on the
 * member port gets no byte of the cluster's protocol and is cut off; a JGroups member in the clear, under the
 * cluster's name, does not join; a JGroups member with TLS that trusts the cluster's certificate but holds another key
 * does not join; a whole Vert.x node with another key forms a cluster of its own and cannot send to a crawler address;
 * and a TLS client without the cluster's certificate gets no handshake on the event-bus port. Every refusal on the
 * member port is counted.
 */
class ClusterIntrudersTest {
  private static final String CRAWLER = "hellonet.crawler.start@intruder-test";

  @Test
  void withoutTheKeyNothingJoinsReadsOrSends() throws Exception {
    ClusterSecret secret = TestClusterKeys.sharedSecret();
    ClusterSecret other = TestClusterKeys.load(TestClusterKeys.fresh());
    int port = ServerProcess.freePort();
    int busPort = ServerProcess.freePort();
    ClusterPlan plan = new ClusterPlan(List.of("127.0.0.1:" + port), "", "127.0.0.1", "", port, busPort, secret);
    Refusals refusals = new Refusals("member port " + port);
    Vertx node = Await.result(Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(ClusterStack.eventBus(plan)))
        .withClusterManager(ClusterStack.manager(plan, refusals)).buildClustered(), 60);
    try {
      AtomicInteger received = new AtomicInteger();
      Await.result(node.eventBus().consumer(CRAWLER, msg -> {
        received.incrementAndGet();
        msg.reply("crawled");
      }).completion());

      // (1) Raw TCP, as JGroups' own connection preamble would start: the port answers only with TLS (an alert
      // record, content type 21) or closes; nothing of JGroups comes back.
      byte[] answer = rawExchange(port, "bela\0\0\0\0hellonet".getBytes(StandardCharsets.US_ASCII));
      assertTrue(answer.length == 0 || answer[0] == 21, "the member port answered in the clear: "
          + new String(answer, StandardCharsets.ISO_8859_1));
      Await.until(() -> refusals.count() >= 1, 10, "the raw client's refusal is counted");

      // (2) A JGroups member in the clear, same stack and cluster name: it stays alone, and so does the node.
      long before = refusals.count();
      try (JChannel plain = intruderChannel(plan, other, null)) {
        assertEquals(1, plain.getView().size(), plain.getView().toString());
        assertEquals(1, ClusterView.of(node).nodeIds().size(), ClusterView.of(node).nodeIds().toString());
      }
      assertTrue(refusals.count() > before, "the plain member's connection was refused");

      // (3) A JGroups member with TLS that trusts the cluster's certificate (public: every handshake shows it) but
      // presents its own: the node's handshake refuses it.
      before = refusals.count();
      SSLContext wrongKey = SSLContext.getInstance("TLS");
      wrongKey.init(new KeyManager[] {other.keyManager()}, new TrustManager[] {secret.trustManager()}, null);
      try (JChannel tls = intruderChannel(plan, other, wrongKey)) {
        assertEquals(1, tls.getView().size(), tls.getView().toString());
        assertEquals(1, ClusterView.of(node).nodeIds().size(), ClusterView.of(node).nodeIds().toString());
      }
      assertTrue(refusals.count() > before, "the wrong-key member's handshake was refused");

      // (4) A whole node with another key, listing this node as a member and trusting its certificate on the event
      // bus: it forms a cluster of its own, sees no subscription, and its request reaches no crawler.
      int intruderPort = ServerProcess.freePort();
      ClusterPlan intruderPlan = new ClusterPlan(List.of("127.0.0.1:" + port, "127.0.0.1:" + intruderPort), "",
          "127.0.0.1", "", intruderPort, 0, other);
      Vertx intruder = Await.result(Vertx.builder()
          .with(new VertxOptions().setEventBusOptions(ClusterStack.eventBus(intruderPlan)
              .setTrustOptions(new PfxOptions().setValue(Buffer.buffer(secret.trustStoreBytes()))
                  .setPassword(secret.password()))))
          .withClusterManager(ClusterStack.manager(intruderPlan, new Refusals("intruder"))).buildClustered(), 60);
      try {
        assertEquals(1, ClusterView.of(node).nodeIds().size(), "the intruder is not in the membership");
        assertEquals(1, ClusterView.of(intruder).nodeIds().size(), "the intruder sees no one");
        Throwable refused = assertThrows(Exception.class, () -> Await.result(intruder.eventBus()
            .request(CRAWLER, "{\"urls\":[\"http://127.0.0.1/secret\"]}", new DeliveryOptions().setSendTimeout(5_000)),
            30));
        System.out.println("ClusterIntrudersTest: the intruder's request failed: " + refused);
        assertEquals(0, received.get(), "the intruder's message reached the crawler address");
      } finally {
        Await.result(intruder.close(), 30);
      }

      // (5) TLS to the event-bus port without the cluster's certificate: no handshake.
      assertTrue(refusedWithoutCertificate(busPort), "the event bus accepted a client without the certificate");
      assertEquals(1, ClusterView.of(node).nodeIds().size());
      System.out.println("ClusterIntrudersTest: " + refusals.count() + " refusals on the member port from "
          + refusals.peers() + " address(es)");
    } finally {
      Await.result(node.close(), 30);
    }
  }

  /**
   * A bare JGroups channel on hellonet's stack, listing the node as a member, connected under the cluster's name:
   * in the clear when {@code tls} is null, else over TLS with that context.
   */
  private static JChannel intruderChannel(ClusterPlan target, ClusterSecret own, SSLContext tls) throws Exception {
    int port = ServerProcess.freePort();
    ClusterPlan plan = new ClusterPlan(List.of(target.members().get(0), "127.0.0.1:" + port), "", "127.0.0.1", "",
        port, 0, own);
    List<Protocol> protocols = ClusterStack.protocols(plan, own, new Refusals("intruder"));
    TCP tcp = (TCP) protocols.get(0);
    tcp.setSocketFactory(tls == null ? new DefaultSocketFactory() : MemberTls.socketFactory(tls, new Refusals("x")));
    JChannel channel = new JChannel(protocols);
    channel.getProtocolStack().getTransport().getDiagnosticsHandler().setEnabled(false);
    channel.connect(ClusterStack.CLUSTER_NAME);
    // Discovery and the join attempts are over once connect returns; give a late merge a moment to show.
    Thread.sleep(3_000);
    return channel;
  }

  /** Connects in the clear, sends {@code hello}, and returns what comes back before the port closes (or 5 s). */
  private static byte[] rawExchange(int port, byte[] hello) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(hello);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      try {
        for (int n; (n = in.read(buffer)) > 0 && got.size() < 65_536; ) {
          got.write(buffer, 0, n);
        }
      } catch (IOException closedOrSilent) {
        // A reset or the timeout: whatever arrived before counts.
      }
      return got.toByteArray();
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
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      // TLS 1.3: the server judges the client's (empty) certificate after the client's side of the handshake is done,
      // and answers with an alert. Read without writing first: a write after the server closed would draw a reset
      // that discards the alert. A server that accepted the client sends nothing and waits for a frame.
      socket.getInputStream().read();
      return false;
    } catch (SSLException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false; // the TLS session was accepted: the server waits for the client's first frame
    }
  }
}
