package dev.hellonet.crawl;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.CrawlJobs;
import dev.hellonet.testing.TestConfig;
import dev.hellonet.testing.TestSite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crawler's JSON against the OpenAPI document the HTTP API serves: the document is a valid contract, the issue's
 * example request is valid and out-of-range ones are not, and real jobs (running, completed with items and downloads,
 * cancelled) and listings match the response schemas exactly.
 */
@ExtendWith(VertxExtension.class)
class CrawlContractTest {
  @TempDir
  Path dir;
  private Vertx vertx;
  private TestSite site;
  private OpenAPIContract contract;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    site = TestSite.start(vertx);
    contract = Await.result(OpenAPIContract.from(vertx, "hellonet/openapi.yaml"), 20);
    CrawlerConfig config = new CrawlerConfig("hellonet-test/1.0", 64, 64 * 1024, 5, 20, dir.resolve("downloads"),
        256 * 1024, TestConfig.LOOPBACK_TARGETS, List.of());
    Await.result(vertx.deployVerticle(new CrawlerVerticle(config, new CounterRegistry("test"))), 20);
  }

  @AfterEach
  void stop() throws Exception {
    site.close();
  }

  private JsonObject call(String address, JsonObject body) throws Exception {
    return (JsonObject) Await.result(vertx.eventBus().request(address, body), 20).body();
  }

  private void assertResponse(String operationId, int status, JsonObject body) throws Exception {
    ResponseValidator validator = ResponseValidator.create(vertx, contract);
    try {
      Await.result(validator.validate(ValidatableResponse.create(status, body.toBuffer(), "application/json"),
          operationId), 20);
    } catch (Exception e) {
      throw new AssertionError(operationId + " " + status + " does not match the contract: " + e.getMessage()
          + "\n" + body.encodePrettily(), e);
    }
  }

  private Future<Void> validateStart(JsonObject body) {
    Map<String, RequestParameter> none = Map.of();
    return RequestValidator.create(vertx, contract).validate(new ValidatableRequestImpl(none, none, none, none,
        new RequestParameterImpl(body.toBuffer()), "application/json"), "startCrawl").mapEmpty();
  }

  private JsonObject listingRequest() {
    return new JsonObject()
        .put("urls", new JsonArray().add(site.url("/later/beijing")).add(site.url("/private/x"))
            .add(site.url("/always503")))
        .put("concurrency", 16).put("perHostConcurrency", 8).put("timeoutMs", 10000).put("deadlineMs", 0)
        .put("retries", 1).put("maxDepth", 0).put("maxPages", 1000).put("scope", "same-host")
        .put("respectRobots", true)
        .put("extract", new JsonObject()
            .put("items", "#showing-soon .item")
            .put("fields", new JsonObject().put("name", "h3 a::text").put("date", "li.dt::text")
                .put("url", "h3 a::attr(href)").put("missing", "table::text"))
            .put("follow", "url")
            .put("detail", new JsonObject().put("poster", "img::attr(src)")))
        .put("download", new JsonObject().put("field", "poster"));
  }

  @Test
  void requestsAreCheckedByTheSameDocument(VertxTestContext ctx) {
    List<JsonObject> good = List.of(listingRequest(),
        new JsonObject().put("urls", new JsonArray().add("https://example.org/")));
    List<JsonObject> bad = List.of(
        new JsonObject(),
        new JsonObject().put("urls", new JsonArray()),
        new JsonObject().put("urls", new JsonArray().add("ftp://example.org/")),
        listingRequest().put("retries", 11),
        listingRequest().put("scope", "everywhere"),
        listingRequest().put("colour", "blue"));
    Checkpoint accepted = ctx.checkpoint(good.size());
    Checkpoint refused = ctx.checkpoint(bad.size());
    good.forEach(request -> validateStart(request).onComplete(ctx.succeeding(v -> accepted.flag())));
    bad.forEach(request -> validateStart(request).onComplete(ar -> ctx.verify(() -> {
      assertTrue(ar.failed(), "the contract should refuse " + request.encode());
      refused.flag();
    })));
  }

  @Test
  void jobsAndListingsMatchTheResponseSchemas() throws Exception {
    JsonObject started = call(Addresses.CRAWL_START, listingRequest());
    assertResponse("startCrawl", 202, started);
    String id = started.getString("id");
    JsonObject job = CrawlJobs.awaitFinished(() -> {
      JsonObject read = call(Addresses.CRAWL_GET, new JsonObject().put("id", id));
      assertResponse("getCrawl", 200, read);
      return read;
    }, 10);
    assertTrue(job.getString("status").equals("completed"), job.encodePrettily());
    assertTrue(job.getJsonArray("items").size() == TestSite.POSTERS && job.getJsonArray("downloads").size() == 3);

    JsonObject slow = call(Addresses.CRAWL_START, new JsonObject().put("urls", new JsonArray()
        .add(site.url("/sleep/5000")).add(site.url("/sleep/5001")).add(site.url("/slow/1"))).put("concurrency", 1));
    assertResponse("getCrawl", 200, call(Addresses.CRAWL_GET, new JsonObject().put("id", slow.getString("id"))));
    assertResponse("cancelCrawl", 202, call(Addresses.CRAWL_CANCEL, new JsonObject().put("id", slow.getString("id"))));

    assertResponse("listCrawls", 200, call(Addresses.CRAWL_LIST, new JsonObject().put("limit", 1)));
    assertResponse("listCrawls", 200, call(Addresses.CRAWL_LIST, new JsonObject()));
  }

  @Test
  void theValidatorIsNotAPushover() throws Exception {
    JsonObject job = call(Addresses.CRAWL_START, new JsonObject().put("urls", new JsonArray().add(site.url("/slow/1"))));
    job.put("status", "paused");
    assertThrows(AssertionError.class, () -> assertResponse("getCrawl", 200, job));
    job.put("status", "running").put("surprise", 1);
    assertThrows(AssertionError.class, () -> assertResponse("getCrawl", 200, job));
    job.remove("surprise");
    assertResponse("getCrawl", 200, job);
  }
}
