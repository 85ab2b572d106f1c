package dev.hellonet.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;


/**
 * What the tests of real server processes share (ProcessLifecycleTest, SupervisedWorkersTest, ClusterNodesTest):
 * the servers they launch and the clients they run on virtual threads, all ended after each test
 * ({@code @RegisterExtension}), and the waits and checks they make on them. Waits are generous: these tests run on a
 * busy 2-core machine, and a clustered JVM takes many seconds to start there.
 */
public final class ProcessFixture implements AfterEachCallback {
  /** How long a process may take to log a line, or a client to finish. */
  private static final long WAIT_SECONDS = 120;
  /** How long an API may take to reach a state. */
  private static final long AWAIT_API_SECONDS = 90;

  private final List<ServerProcess> servers = new ArrayList<>();
  private final List<AutoCloseable> others = new ArrayList<>();
  private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

  /** Launches a server (see {@link ServerProcess#launch}) that ends with the test. */
  public ServerProcess launch(Path workDir, Map<String, String> env) throws IOException {
    ServerProcess server = ServerProcess.launch(workDir, env);
    servers.add(server);
    return server;
  }

  /** Launches a server with its own entry (see {@link ServerProcess#launch(Path, Map, List)}) that ends with the test. */
  public ServerProcess launch(Path workDir, Map<String, String> env, List<String> entry) throws IOException {
    ServerProcess server = ServerProcess.launch(workDir, env, entry);
    servers.add(server);
    return server;
  }

  /** Starts a server and waits until it listens (see {@link ServerProcess#start}); it ends with the test. */
  public ServerProcess start(Path workDir, Map<String, String> env) throws IOException, InterruptedException {
    ServerProcess server = ServerProcess.start(workDir, env);
    servers.add(server);
    return server;
  }

  /** Runs a client on a virtual thread of its own; clients still running when the test ends are interrupted. */
  public <T> Future<T> submit(Callable<T> client) {
    return clients.submit(client);
  }

  /** Closes {@code resource} when the test ends, before the servers stop. */
  public <T extends AutoCloseable> T closeAtEnd(T resource) {
    others.add(resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    clients.shutdownNow();
    for (AutoCloseable other : others) {
      other.close();
    }
    for (ServerProcess server : servers) {
      server.close();
    }
  }

  /**
   * The environment of one clustered node of a test cluster on loopback, with the tests' shared cluster secret
   * ({@link TestClusterKeys}): its member port at {@code clusterPort} among
   * {@code members}, HTTP at {@code httpPort}, counters published every 200 ms, numbers from {@code sequenceFile}
   * (shared by the nodes). Mutable, so that a test can add what is particular to it.
   */
  public static Map<String, String> clusterNode(String members, int clusterPort, int httpPort, Path sequenceFile) {
    return new HashMap<>(Map.of(
        "HELLONET_CLUSTER_ENABLED", "true",
        "HELLONET_CLUSTER_MEMBERS", members,
        "HELLONET_CLUSTER_HOST", "127.0.0.1",
        "HELLONET_CLUSTER_PORT", Integer.toString(clusterPort),
        "HELLONET_HTTP_PORT", Integer.toString(httpPort),
        "HELLONET_HTTP_INSTANCES", "1",
        "HELLONET_COUNTERS_PUBLISHINTERVALMS", "200",
        "HELLONET_SEQUENCE_FILE", sequenceFile.toString(),
        "HELLONET_CLUSTER_KEYSTOREFILE", TestClusterKeys.shared().keyStore().toString(),
        "HELLONET_CLUSTER_KEYSTOREPASSWORDFILE", TestClusterKeys.shared().password().toString()));
  }

  /** The future's result, or an assertion error if it failed or took over two minutes. */
  public static <T> T get(Future<T> future) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until the server's log holds {@code line} at least {@code count} times. */
  public static void awaitLog(ServerProcess server, String line, int count) throws Exception {
    Await.until(() -> count(server.log(), line) >= count, WAIT_SECONDS, 100,
        () -> count + " x \"" + line + "\" logged:\n" + server.log());
  }

  public static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  /**
   * Asks {@code path} until a 200 answer satisfies {@code done} and returns it; a connection refused or cut (a node
   * starting or going down) is asked again.
   */
  public static JsonObject await(Http http, String path, Predicate<JsonObject> done) throws Exception {
    JsonObject[] last = {null};
    Await.until(() -> {
      try {
        Http.Reply reply = http.get(path);
        if (reply.status() == 200) {
          last[0] = reply.body();
          return done.test(last[0]);
        }
      } catch (IOException notNow) {
        // not listening yet, or going down under this connection
      }
      return false;
    }, AWAIT_API_SECONDS, 100, () -> path + " reaches the expected state; last: "
        + (last[0] == null ? null : last[0].encodePrettily()));
    return last[0];
  }

  /** The nodes of a {@code /api/counters} answer in {@code state} (live, unreachable, departed). */
  public static JsonArray nodes(JsonObject counters, String state) {
    JsonArray out = new JsonArray();
    counters.getJsonObject("cluster").getJsonArray("nodes").forEach(n -> {
      if (state.equals(((JsonObject) n).getString("state"))) {
        out.add(n);
      }
    });
    return out;
  }
}
