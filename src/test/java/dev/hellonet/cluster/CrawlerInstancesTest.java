package dev.hellonet.cluster;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.Http;
import dev.hellonet.testing.SlowSite;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several crawler instances on one node share the work: new jobs go to each in turn, and every read, cancel and list
 * reaches the instance that owns the job, through the router, whichever HTTP instance takes the request.
 */
class CrawlerInstancesTest {
  @TempDir
  Path dir;

  @Test
  void jobsSpreadOverTheInstancesAndAreReadListedAndCancelledThroughTheirOwner() throws Exception {
    Hellonet node = Await.result(Hellonet.start(TestConfig.inDir(dir).crawlsLoopback()
            .set("crawler.instances", 3)
            .set("http.instances", 2)
            .set("crawler.downloadDir", dir.resolve("downloads").toString())
            .build()));
    try (SlowSite site = new SlowSite()) {
      Http http = new Http(node.httpPort());
      List<String> ids = new ArrayList<>();
      Set<String> owners = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        Http.Reply started = http.post("/api/crawls", new JsonObject()
            .put("urls", new JsonArray().add(site.url("/slow/" + i))));
        assertEquals(202, started.status(), started.body().encode());
        String id = started.body().getString("id");
        ids.add(id);
        owners.add(JobIds.split(id)[0]);
      }
      assertEquals(3, owners.size(), "each instance got one of three jobs: " + ids);

      for (String id : ids) {
        Http.Reply got = http.get("/api/crawls/" + id);
        assertEquals(200, got.status(), got.body().encode());
        assertEquals(id, got.body().getString("id"));
        assertEquals("running", got.body().getString("status"));
      }

      Http.Reply page1 = http.get("/api/crawls?limit=2");
      assertEquals(200, page1.status(), page1.body().encode());
      JsonArray first = page1.body().getJsonArray("jobs");
      assertEquals(List.of(ids.get(2), ids.get(1)), List.of(first.getJsonObject(0).getString("id"),
          first.getJsonObject(1).getString("id")), "newest first across instances");
      Http.Reply page2 = http.get("/api/crawls?limit=2&cursor=" + page1.body().getString("nextCursor"));
      assertEquals(ids.get(0), page2.body().getJsonArray("jobs").getJsonObject(0).getString("id"));
      assertNull(page2.body().getString("nextCursor"));

      Http.Reply cancelled = http.delete("/api/crawls/" + ids.get(1));
      assertEquals(202, cancelled.status(), cancelled.body().encode());
      assertEquals("cancelled", http.get("/api/crawls/" + ids.get(1)).body().getString("status"));
      assertEquals("running", http.get("/api/crawls/" + ids.get(0)).body().getString("status"));

      assertEquals(404, http.get("/api/crawls/" + JobIds.routed("000000000000.0", "j-abc-12345678")).status());
      assertEquals(404, http.get("/api/crawls/j-abc-12345678").status());
      assertEquals(404, http.get("/api/crawls/" + JobIds.routed(JobIds.split(ids.get(0))[0].replaceAll("\\.\\d+$",
          ".9"), "j-abc-12345678")).status(), "an instance that does not exist owns no job");

      JsonObject status = http.get("/api/status").body();
      assertEquals(3, status.getJsonObject("instances").getInteger("crawler"));
      assertEquals(2, status.getJsonObject("instances").getInteger("http"));
      JsonObject counters = http.get("/api/counters").body();
      assertEquals(3, counters.getJsonObject("crawler").getJsonArray("instances").size(), counters.encode());
      assertEquals(3, counters.getJsonObject("crawler").getJsonObject("total").getLong("jobsStarted"));
    } finally {
      Await.result(node.stop());
    }
  }
}
