package dev.hellonet.cluster;

import dev.hellonet.config.ClusterSecret;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.ServerProcess;
import dev.hellonet.testing.TestClusterKeys;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two members that each formed a cluster of one (as members that start at the same moment can) and are then merged
 * by JGroups keep both sides' event-bus subscriptions: Infinispan keeps one side's copy of the subscriptions and drops
 * the other's, and each member writes its own again after the merge. Node A lists B, B lists only itself, and B
 * starts after A has settled alone, so both start alone and A's merge check finds B.
 */
class ClusterMergeTest {
  @Test
  void afterAMergeEachSideReachesTheOthersConsumers() throws Exception {
    ClusterSecret secret = TestClusterKeys.sharedSecret();
    int portA = ServerProcess.freePort();
    int portB = ServerProcess.freePort();
    ClusterPlan planA = new ClusterPlan(List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB), "", "127.0.0.1", "",
        portA, 0, secret);
    ClusterPlan planB = new ClusterPlan(List.of("127.0.0.1:" + portB), "", "127.0.0.1", "", portB, 0, secret);
    Vertx a = start(planA);
    Vertx b = null;
    try {
      Await.result(a.eventBus().consumer("merge-test.a", m -> m.reply("a")).completion());
      b = start(planB);
      Vertx nodeB = b;
      Await.result(b.eventBus().consumer("merge-test.b", m -> m.reply("b")).completion());
      // B lists only itself, so it can only come to see A through a merge; on a loaded machine A's merge check may
      // already have found it here, which is why this is not asserted.

      Await.until(() -> ClusterView.of(a).nodeIds().size() == 2 && ClusterView.of(nodeB).nodeIds().size() == 2,
          60, "A and B merged");
      Await.until(() -> answers(a, "merge-test.b", "b") && answers(nodeB, "merge-test.a", "a"), 30,
          "each side reaches the other's consumer after the merge");
    } finally {
      if (b != null) {
        Await.result(b.close(), 30);
      }
      Await.result(a.close(), 30);
    }
  }

  private static Vertx start(ClusterPlan plan) throws Exception {
    return Await.result(Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(ClusterStack.eventBus(plan)))
        .withClusterManager(ClusterStack.manager(plan, new Refusals("merge test"))).buildClustered(), 60);
  }

  private static boolean answers(Vertx from, String address, String expected) {
    try {
      return expected.equals(Await.result(from.eventBus()
          .request(address, "?", new DeliveryOptions().setSendTimeout(2_000)), 5).body());
    } catch (Exception notYet) {
      return false;
    }
  }
}
