package dev.hellonet.crawl;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.config.WholeNumbers;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.crawl.fetch.Fetcher;
import dev.hellonet.crawl.job.CrawlEvents;
import dev.hellonet.crawl.job.CrawlJob;
import dev.hellonet.crawl.job.CrawlerCounters;
import dev.hellonet.crawl.job.InvalidRequestException;
import dev.hellonet.crawl.job.JobRequest;
import dev.hellonet.crawl.job.JobRun;
import dev.hellonet.crawl.job.JobStore;
import dev.hellonet.crawl.job.NodeResources;
import dev.hellonet.crawl.policy.TargetPolicy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The crawler role: starts, reports, lists and cancels crawl jobs over the event bus (addresses in {@link Addresses},
 * bodies as in {@code hellonet/openapi.yaml}). All job state lives on this verticle's event loop; failures come back
 * as event-bus failures with a code from {@link Addresses} and a message, never as timeouts.
 */
public final class CrawlerVerticle extends VerticleBase {
  /** Counter role under which the crawler registers. */
  public static final String COUNTER_ROLE = "crawler";
  static final int DEFAULT_LIST_LIMIT = 50;
  static final int MAX_LIST_LIMIT = 1000;
  /** Pages, items and downloads per reply of a job unless the request asks for another window. */
  public static final int DEFAULT_WINDOW = 1000;
  /** The largest window a request may ask for: a reply is built on the event loop. */
  public static final int MAX_WINDOW = 10_000;
  private static final Logger LOG = Logger.getLogger(CrawlerVerticle.class.getName());

  private final CrawlerConfig config;
  private final CounterRegistry registry;
  private final int progressEveryPages;
  /** The owner name this instance answers under (see Addresses.ofInstance); null: the public addresses. */
  private final String owner;
  private final int instancesOnNode;
  private final CrawlerCounters counters = new CrawlerCounters();
  private final SecureRandom random = new SecureRandom();
  private final Map<String, JobRun> runs = new HashMap<>();
  private final Map<String, Integer> runningByClient = new HashMap<>();
  private NodeResources node;
  private TargetPolicy policy;
  private JobStore store;
  private Fetcher fetcher;
  private WorkerExecutor parsePool;

  /** A crawler answering the public crawl addresses itself: the only instance, no routing. */
  public CrawlerVerticle(CrawlerConfig config, CounterRegistry registry) {
    this(config, registry, 10);
  }

  /** {@code progressEveryPages}: a progress event on {@link Addresses#CRAWL_PROGRESS} every that many final pages. */
  public CrawlerVerticle(CrawlerConfig config, CounterRegistry registry, int progressEveryPages) {
    this(config, registry, progressEveryPages, null);
  }

  /**
   * One of several crawler instances: it answers only on its own addresses ({@code Addresses.ofInstance(address,
   * owner)}), and a router in front of the instances picks one for each new job and reaches a job's owner. Its
   * progress events carry the job's routed id ({@code <owner>.<local id>}), as every other answer does.
   */
  public CrawlerVerticle(CrawlerConfig config, CounterRegistry registry, int progressEveryPages, String owner) {
    this(config, registry, progressEveryPages, owner, 1);
  }

  /**
   * As above, one of {@code instancesOnNode} crawler instances in this JVM. The node-wide ceilings (page bytes in
   * memory, download bytes on disk, records kept, HTML parsed at once) are the node's, so each instance holds an equal
   * share of them: otherwise every added instance would add another heap's worth of allowance and the worst crawl
   * the API allows would run the node out of memory.
   */
  public CrawlerVerticle(CrawlerConfig config, CounterRegistry registry, int progressEveryPages, String owner,
                         int instancesOnNode) {
    if (instancesOnNode < 1) {
      throw new IllegalArgumentException("instancesOnNode must be >= 1, got " + instancesOnNode);
    }
    this.config = config;
    this.registry = registry;
    this.progressEveryPages = progressEveryPages;
    this.owner = owner;
    this.instancesOnNode = instancesOnNode;
  }

  @Override
  public Future<?> start() {
    policy = new TargetPolicy(config.allow(), config.deny());
    store = new JobStore(config.historySize());
    fetcher = new Fetcher(vertx, config.userAgent(), config.maxConcurrency());
    // Pages are parsed here, never on an event loop: a slow page costs crawl throughput, not hello latency.
    parsePool = vertx.createSharedWorkerExecutor("hellonet-crawl-parse", config.limits().parseThreads());
    node = NodeResources.create(config, fetcher, policy, parsePool, counters, instancesOnNode);
    // Named by the instance's index on this node (the owner's last part); the node itself is named beside it.
    registry.register(COUNTER_ROLE, "crawler-" + (owner == null ? "0" : owner.substring(owner.lastIndexOf('.') + 1)),
        counters::snapshot);
    return Future.all(List.of(
        consumer(Addresses.CRAWL_START, this::start),
        consumer(Addresses.CRAWL_GET, this::get),
        consumer(Addresses.CRAWL_LIST, this::list),
        consumer(Addresses.CRAWL_CANCEL, this::cancel)));
  }

  @Override
  public Future<?> stop() {
    for (JobRun run : List.copyOf(runs.values())) {
      run.stop("crawler stopped");
    }
    if (fetcher != null) {
      fetcher.close();
    }
    return parsePool == null ? Future.succeededFuture() : parsePool.close();
  }

  private Future<Void> consumer(String publicAddress, Consumer<Message<Object>> handler) {
    String address = owner == null ? publicAddress : Addresses.ofInstance(publicAddress, owner);
    MessageConsumer<Object> c = vertx.eventBus().consumer(address, msg -> {
      try {
        handler.accept(msg);
      } catch (InvalidRequestException e) {
        msg.fail(Addresses.FAILURE_INVALID, e.getMessage());
      } catch (RuntimeException e) {
        // Logged here in full; the caller gets a reference, never the exception's text.
        String reference = java.util.UUID.randomUUID().toString().substring(0, 8);
        LOG.log(Level.WARNING, "crawler request on " + address + " failed [reference " + reference + "]", e);
        msg.fail(Addresses.FAILURE_INTERNAL, "crawler failed (reference " + reference + ")");
      }
    });
    return c.completion();
  }

  private static JsonObject body(Message<Object> msg) {
    if (msg.body() instanceof JsonObject json) {
      return json;
    }
    if (msg.body() instanceof String s) {
      try {
        return new JsonObject(s);
      } catch (RuntimeException e) {
        throw new InvalidRequestException("body", "not a JSON object: " + e.getMessage());
      }
    }
    throw new InvalidRequestException("body", "must be a JSON object");
  }

  private void start(Message<Object> msg) {
    JobRequest request = JobRequest.parse(body(msg), config.maxConcurrency());
    if (store.full()) {
      msg.fail(Addresses.FAILURE_BUSY, config.historySize() + " crawl jobs are running (crawler.historySize); "
          + "wait for one to finish or cancel one");
      return;
    }
    int maxRunning = config.limits().maxRunningJobs();
    if (runs.size() >= maxRunning) {
      msg.fail(Addresses.FAILURE_BUSY, maxRunning + " crawl jobs are running (crawler.maxRunningJobs); "
          + "wait for one to finish or cancel one");
      return;
    }
    String client = msg.headers().get(Addresses.HEADER_CLIENT);
    int perClient = config.limits().maxRunningJobsPerClient();
    if (client != null && runningByClient.getOrDefault(client, 0) >= perClient) {
      msg.fail(Addresses.FAILURE_BUSY, perClient + " crawl jobs of " + client
          + " are running (crawler.maxRunningJobsPerClient); wait for one to finish or cancel one");
      return;
    }
    String id;
    do {
      id = "j-" + Long.toString(System.currentTimeMillis(), 36) + "-" + HexFormat.of().formatHex(randomBytes(4));
    } while (store.contains(id));
    CrawlJob job = new CrawlJob(id, request);
    forget(store.add(job));
    makeRoomForRecords(null);
    counters.jobStarted();
    if (client != null) {
      runningByClient.merge(client, 1, Integer::sum);
    }
    CrawlEvents events = new CrawlEvents(vertx.eventBus(), job, progressEveryPages, owner == null ? "" : owner + ".");
    JobRun run = new JobRun(vertx, job, node, events, () -> {
      runs.remove(job.id());
      if (client != null) {
        runningByClient.computeIfPresent(client, (c, n) -> n == 1 ? null : n - 1);
      }
      counters.jobFinished();
      forget(store.evict());
      makeRoomForRecords(job.id());
      events.stateChanged();
    });
    runs.put(id, run);
    msg.reply(job.window(0, DEFAULT_WINDOW));
    events.stateChanged();
    run.start();
  }

  /**
   * Keeps the history's records (pages, items, downloads of all kept jobs) to half of {@code crawler.maxRecordsKept}
   * by evicting the oldest finished jobs, so that running jobs have the other half; a running job that finds the
   * ceiling reached stops taking records (counted in its {@code stats.limited}). The job that just finished
   * ({@code keep}) stays, so that its result can still be read.
   */
  private void makeRoomForRecords(String keep) {
    List<CrawlJob> evicted = new java.util.ArrayList<>();
    long used = node.records().used();
    while (used > node.records().max() / 2) {
      CrawlJob oldest = store.evictOldestFinished(keep);
      if (oldest == null) {
        break;
      }
      evicted.add(oldest);
      used -= oldest.records();
    }
    forget(evicted);
  }

  /**
   * Jobs leave the history with their files: the download retention is the history's ({@code crawler.historySize}
   * jobs), and the node's disk budget gets their bytes back once the files are deleted.
   */
  private void forget(List<CrawlJob> evicted) {
    for (CrawlJob job : evicted) {
      node.records().give(job.records());
      String dir = config.downloadDir().resolve(job.id()).toString();
      long bytes = job.diskBytes();
      vertx.fileSystem().deleteRecursive(dir).onComplete(ar -> {
        if (ar.succeeded() || ar.cause() instanceof java.nio.file.NoSuchFileException
            || ar.cause().getCause() instanceof java.nio.file.NoSuchFileException) {
          node.disk().give(bytes);
        } else {
          LOG.warning("cannot delete the downloads of evicted job " + job.id() + " in " + dir + ": " + ar.cause());
        }
      });
    }
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private CrawlJob job(Message<Object> msg) {
    Object id = body(msg).getValue("id");
    if (!(id instanceof String s) || s.isBlank()) {
      throw new InvalidRequestException("id", "required: the job id");
    }
    return store.get(s);
  }

  private void get(Message<Object> msg) {
    JsonObject body = body(msg);
    for (String key : body.fieldNames()) {
      if (!key.equals("id") && !key.equals("offset") && !key.equals("limit")) {
        throw new InvalidRequestException(key, "unknown field; known fields are [id, limit, offset]");
      }
    }
    int offset = (int) whole(body, "offset", 0, 0, Integer.MAX_VALUE);
    int limit = (int) whole(body, "limit", DEFAULT_WINDOW, 1, MAX_WINDOW);
    CrawlJob job = job(msg);
    if (job == null) {
      msg.fail(Addresses.FAILURE_NOT_FOUND, "no crawl job " + body.getString("id"));
    } else {
      msg.reply(job.window(offset, limit));
    }
  }

  private static long whole(JsonObject body, String key, long dflt, long min, long max) {
    try {
      return body.containsKey(key) ? WholeNumbers.check(body.getValue(key), min, max) : dflt;
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(key, e.getMessage());
    }
  }

  private void cancel(Message<Object> msg) {
    CrawlJob job = job(msg);
    if (job == null) {
      msg.fail(Addresses.FAILURE_NOT_FOUND, "no crawl job " + body(msg).getString("id"));
      return;
    }
    JobRun run = runs.get(job.id());
    if (run != null) {
      run.stop("cancelled by request");
      LOG.info("crawl job " + job.id() + " cancelled by request");
    }
    msg.reply(job.window(0, DEFAULT_WINDOW));
  }

  private void list(Message<Object> msg) {
    JsonObject body = msg.body() == null ? new JsonObject() : body(msg);
    for (String key : body.fieldNames()) {
      if (!key.equals("limit") && !key.equals("cursor")) {
        throw new InvalidRequestException(key, "unknown field; known fields are [cursor, limit]");
      }
    }
    int limit = (int) whole(body, "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    Object cursor = body.getValue("cursor");
    if (cursor != null && (!(cursor instanceof String c) || !store.contains(c))) {
      throw new InvalidRequestException("cursor", "unknown job id (evicted from the history?): " + cursor);
    }
    List<CrawlJob> page = store.newestFirst((String) cursor, limit + 1);
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < Math.min(limit, page.size()); i++) {
      jobs.add(page.get(i).summary());
    }
    String next = page.size() > limit ? page.get(limit - 1).id() : null;
    msg.reply(new JsonObject().put("jobs", jobs).put("nextCursor", next));
  }
}
