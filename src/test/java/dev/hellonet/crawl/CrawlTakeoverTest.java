package dev.hellonet.crawl;

import dev.hellonet.testing.Await;
import dev.hellonet.testing.CountingSite;
import dev.hellonet.testing.Http;
import dev.hellonet.testing.PostgresExtension;
import dev.hellonet.testing.PostgresServer;
import dev.hellonet.testing.ServerProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crawl jobs in a real PostgreSQL ({@code crawler.store=postgres}) outlive the node that runs them: hellonet nodes
 * in separate JVMs crawl a loopback site that counts every request, and the job's owner is killed (SIGKILL), stopped
 * (SIGTERM), or every node is stopped and one started again. Each time the job completes on another node with every
 * page exactly once in its results and exactly its items, and the site saw no page twice except, after a SIGKILL,
 * pages in flight at the kill (fetched but not yet recorded done).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrawlTakeoverTest {
  private static final int PAGES = 600;
  private static final int CONCURRENCY = 8;
  private static final AtomicInteger names = new AtomicInteger();
  @RegisterExtension
  static final PostgresExtension postgres = new PostgresExtension();

  @TempDir
  Path dir;
  private final List<ServerProcess> nodes = new ArrayList<>();
  private final Map<ServerProcess, Http> apis = new HashMap<>();
  private CountingSite site;
  /** The nodes' {@code crawler.leaseMs}: short, so that a dead owner's lease runs out quickly. */
  private long leaseMs = 3_000;

  @AfterEach
  void stopNodes() throws Exception {
    for (ServerProcess node : nodes) {
      node.close();
    }
    if (site != null) {
      site.close();
    }
  }

  private Map<String, String> env() throws IOException {
    Map<String, String> env = new HashMap<>(postgres.server().nodeEnvironment("takeover-" + names.incrementAndGet()));
    env.put("HELLONET_HTTP_PORT", Integer.toString(ServerProcess.freePort()));
    env.put("HELLONET_HELLO_DEFERACCEPTSECONDS", "0");
    env.put("HELLONET_CRAWLER_STORE", "postgres");
    env.put("HELLONET_CRAWLER_LEASEMS", Long.toString(leaseMs));
    env.put("HELLONET_CRAWLER_LEASERENEWMS", "500");
    env.put("HELLONET_CRAWLER_STOREFLUSHMS", "100");
    env.put("HELLONET_CRAWLER_INSTANCES", "1");
    env.put("HELLONET_CRAWLER_ALLOW", "127.0.0.0/8");
    env.put("HELLONET_CRAWLER_DOWNLOADDIR", dir.resolve("downloads").toString());
    return env;
  }

  /** The deliberate step that creates the crawl tables (and the sequence), as the Kubernetes Job runs it. */
  private void init() throws Exception {
    try (ServerProcess init = ServerProcess.launch(dir.resolve("init"), env(),
        List.of("-cp", System.getProperty("java.class.path"), "dev.hellonet.Main", "init"))) {
      assertEquals(0, init.awaitExit(60), init.log());
      assertTrue(init.log().contains("crawl tables"), init.log());
    }
  }

  private ServerProcess node(String name) throws Exception {
    Map<String, String> env = env();
    ServerProcess node = ServerProcess.start(dir.resolve(name), env);
    nodes.add(node);
    apis.put(node, new Http(Integer.parseInt(env.get("HELLONET_HTTP_PORT"))));
    // Ready means its crawler answers, which reads the store.
    Await.until(() -> {
      try {
        return apis.get(node).get("/health/ready").status() == 200;
      } catch (IOException notYet) {
        return false;
      }
    }, 30, 100, () -> "ready:\n" + node.log());
    return node;
  }

  private String startJob(ServerProcess node) throws Exception {
    JsonObject request = new JsonObject()
        .put("urls", new JsonArray().add(site.url("/p/0")))
        .put("maxDepth", 30).put("maxPages", 5_000).put("respectRobots", false)
        .put("concurrency", CONCURRENCY).put("perHostConcurrency", CONCURRENCY)
        .put("extract", new JsonObject().put("items", ".item").put("fields", new JsonObject().put("name", ".name")));
    Http.Reply reply = apis.get(node).post("/api/crawls", request);
    assertEquals(202, reply.status(), reply.body().encode());
    return reply.body().getString("id");
  }

  /** Asks any live node for the job until {@code done}; a node going down under the request is asked again. */
  private JsonObject awaitJob(String id, Predicate<JsonObject> done, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      for (ServerProcess node : nodes) {
        if (!node.isAlive()) {
          continue;
        }
        try {
          Http.Reply reply = apis.get(node).get("/api/crawls/" + id + "?limit=1");
          if (reply.status() == 200) {
            last = reply.body();
            if (done.test(last)) {
              return last;
            }
          }
        } catch (IOException notNow) {
          // starting or stopping
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + id + " did not get there in " + seconds + " s; last: " + last + logs());
  }

  private String logs() {
    StringBuilder out = new StringBuilder();
    nodes.forEach(n -> out.append("\n--- node log:\n").append(n.log()));
    return out.toString();
  }

  private static int ok(JsonObject job) {
    return job.getJsonObject("stats").getInteger("ok");
  }

  private static boolean completed(JsonObject job) {
    return "completed".equals(job.getString("status"));
  }

  /** Pages and items of the job, read in windows from {@code node}. */
  private record Results(List<JsonObject> pages, List<JsonObject> items) {}

  private Results read(ServerProcess node, String id) throws Exception {
    List<JsonObject> pages = new ArrayList<>();
    List<JsonObject> items = new ArrayList<>();
    for (int offset = 0; ; offset += 500) {
      Http.Reply reply = apis.get(node).get("/api/crawls/" + id + "?offset=" + offset + "&limit=500");
      assertEquals(200, reply.status(), reply.body().encode());
      reply.body().getJsonArray("pages").forEach(p -> pages.add((JsonObject) p));
      reply.body().getJsonArray("items").forEach(i -> items.add((JsonObject) i));
      JsonObject totals = reply.body().getJsonObject("window").getJsonObject("totals");
      if (offset + 500 >= Math.max(totals.getInteger("pages"), totals.getInteger("items"))) {
        assertEquals(totals.getInteger("pages"), pages.size());
        assertEquals(totals.getInteger("items"), items.size());
        return new Results(pages, items);
      }
    }
  }

  /** Every page of the site exactly once, all ok, and exactly its items, none twice. */
  private void assertExact(Results r) {
    Set<String> urls = new HashSet<>();
    for (JsonObject page : r.pages()) {
      assertTrue(urls.add(page.getString("url")), "page twice in the results: " + page);
      assertEquals("ok", page.getString("status"), page.encode());
    }
    Set<String> expected = new TreeSet<>();
    for (int n = 0; n < PAGES; n++) {
      expected.add(site.url("/p/" + n));
    }
    assertEquals(expected, new TreeSet<>(urls));
    Set<String> names = new HashSet<>();
    for (JsonObject item : r.items()) {
      assertTrue(names.add(item.getString("name")), "item twice: " + item);
    }
    assertEquals(PAGES * CountingSite.ITEMS_PER_PAGE, names.size());
  }

  /** The URLs the store records as done (ok) for the job, read straight from the database. */
  private static Set<String> doneInStore(String id) throws Exception {
    String out = postgres.server().psql(PostgresServer.DATABASE, "SELECT url FROM hellonet_crawl_page WHERE job_id = '" + id
        + "' AND status <> 'pending'");
    Set<String> done = new HashSet<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        done.add(line.strip());
      }
    }
    return done;
  }

  private Set<String> servedMoreThanOnce() {
    Set<String> twice = new TreeSet<>();
    site.served().forEach((path, n) -> {
      if (n > 1) {
        twice.add(site.url(path));
      }
    });
    return twice;
  }

  @Test
  void ownerKilledMidCrawlTheJobCompletesElsewhereAndOnlyPagesInFlightAtTheKillAreFetchedAgain() throws Exception {
    site = CountingSite.start(PAGES, 4, 40);
    init();
    ServerProcess owner = node("a");
    ServerProcess other = node("b");
    String id = startJob(owner);
    awaitJob(id, job -> ok(job) >= PAGES / 4, 90);
    owner.kill();
    owner.awaitExit(10);
    // What the dead owner left: nothing it fetched after this can count as done.
    Set<String> servedAtKill = new HashSet<>();
    site.served().keySet().forEach(path -> servedAtKill.add(site.url(path)));
    Set<String> doneAtKill = doneInStore(id);
    assertTrue(doneAtKill.size() < PAGES, "the kill came mid-crawl: " + doneAtKill.size());

    JsonObject job = awaitJob(id, CrawlTakeoverTest::completed, 120);
    assertEquals(PAGES, ok(job), job.encode());
    assertExact(read(other, id));
    Set<String> again = servedMoreThanOnce();
    for (String url : again) {
      assertTrue(servedAtKill.contains(url) && !doneAtKill.contains(url),
          "fetched again although it was not in flight at the kill: " + url);
    }
    site.served().forEach((path, n) -> assertTrue(n <= 2, path + " served " + n + " times"));
    assertTrue(other.log().contains("took over crawl job " + id), other.log());
    System.out.println("SIGKILL after " + doneAtKill.size() + " of " + PAGES + " pages recorded; " + servedAtKill.size()
        + " served by then; fetched again: " + again.size());
  }

  @Test
  void ownerStoppedGracefullyHandsTheJobOverWithoutFetchingAnyPageTwice() throws Exception {
    // Long enough that a takeover within a few seconds can only come from the lease the owner let go.
    leaseMs = 30_000;
    site = CountingSite.start(PAGES, 4, 40);
    init();
    ServerProcess owner = node("a");
    ServerProcess other = node("b");
    String id = startJob(owner);
    awaitJob(id, job -> ok(job) >= PAGES / 4, 90);
    owner.terminate();
    assertEquals(0, owner.awaitExit(60), owner.log());
    assertTrue(owner.log().contains("crawl job " + id + " handed over"), owner.log());
    long stoppedAt = System.nanoTime();
    // Released, not left to run out: the other node has it within a few renewals, long before its lease of 30 s.
    awaitJob(id, job -> other.log().contains("took over crawl job " + id), 30);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
    assertTrue(tookMs < 10_000, "taken over " + tookMs + " ms after the stop");
    System.out.println("SIGTERM: taken over at most " + tookMs + " ms after the owner exited; owner: "
        + owner.log().lines().filter(l -> l.contains("handed over") || l.contains("stopping")).toList()
        + "; other: " + other.log().lines().filter(l -> l.contains("took over")).toList());

    JsonObject job = awaitJob(id, CrawlTakeoverTest::completed, 120);
    assertEquals(PAGES, ok(job), job.encode());
    assertExact(read(other, id));
    assertEquals(Set.of(), servedMoreThanOnce(), "pages fetched twice");
  }

  @Test
  void everyNodeStoppedThenOneStartedTheJobResumesAndCompletes() throws Exception {
    site = CountingSite.start(PAGES, 4, 40);
    init();
    ServerProcess a = node("a");
    ServerProcess b = node("b");
    String id = startJob(a);
    awaitJob(id, job -> ok(job) >= PAGES / 4, 90);
    a.terminate();
    b.terminate();
    assertEquals(0, a.awaitExit(60), a.log());
    assertEquals(0, b.awaitExit(60), b.log());
    int doneWhileDown = doneInStore(id).size();
    assertTrue(doneWhileDown < PAGES, "stopped mid-crawl: " + doneWhileDown);
    Thread.sleep(500);
    assertEquals(doneWhileDown, site.served().size(), "nothing crawls while every node is down");

    ServerProcess c = node("c");
    JsonObject job = awaitJob(id, CrawlTakeoverTest::completed, 120);
    assertEquals(PAGES, ok(job), job.encode());
    assertExact(read(c, id));
    assertEquals(Set.of(), servedMoreThanOnce(), "pages fetched twice");
  }
}
