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
import dev.hellonet.crawl.job.PgCrawlStore;
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
  /** The jobs' store with {@code crawler.store=postgres}; null in memory. */
  private PgCrawlStore pg;
  /** Who holds this instance's leases: its owner name, or a random one when it answers the public addresses. */
  private String leaseOwner;
  /** Jobs that ended and are being written for the last time; a stop waits for them. */
  private final java.util.Set<Future<?>> finishing = new java.util.HashSet<>();
  private boolean stopping;
  private boolean scanning;
  private long leaseTimer = -1;

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
    leaseOwner = owner != null ? owner : "crawler-" + HexFormat.of().formatHex(randomBytes(6));
    node = NodeResources.create(config, fetcher, policy, parsePool, counters, instancesOnNode, leaseOwner);
    // Named by the instance's index on this node (the owner's last part); the node itself is named beside it.
    registry.register(COUNTER_ROLE, "crawler-" + (owner == null ? "0" : owner.substring(owner.lastIndexOf('.') + 1)),
        counters::snapshot);
    Future<Void> opened = !config.store().inPostgres() ? Future.succeededFuture()
        : PgCrawlStore.open(vertx, config.store()).map(store -> {
          pg = store;
          return null;
        });
    return opened.compose(v -> Future.all(List.of(
        consumer(Addresses.CRAWL_START, this::start),
        consumer(Addresses.CRAWL_GET, this::get),
        consumer(Addresses.CRAWL_LIST, this::list),
        consumer(Addresses.CRAWL_CANCEL, this::cancel))))
        .onSuccess(v -> {
          if (pg != null) {
            // Renewals and the search for jobs without a live owner share one timer; the first search is now, so
            // that a node coming back to a stopped cluster resumes its jobs at once.
            leaseTimer = vertx.setPeriodic(0, config.store().leaseRenewMs(), t -> {
              renewLeases();
              takeOver();
            });
          }
        });
  }

  @Override
  public Future<?> stop() {
    // Leases are still renewed while the jobs drain (takeOver looks for no more): a slow drain must not let them run
    // out under a job this node is still writing.
    stopping = true;
    Future<?> handedOver = Future.succeededFuture();
    if (pg != null) {
      // Another node goes on with each job from what is written now: pages in flight are finished first, so that
      // none is fetched twice, and the lease is let go so that the next owner need not wait for it to run out.
      List<Future<?>> each = new java.util.ArrayList<>();
      for (JobRun run : List.copyOf(runs.values())) {
        CrawlJob job = run.job();
        each.add(run.handOver(config.store().leaseMs())
            .compose(v -> job.statusRunning() ? pg.release(job.id(), job.epoch()) : Future.succeededFuture())
            .onSuccess(v -> {
              if (job.statusRunning()) {
                LOG.info("crawl job " + job.id() + " handed over: its lease is free for another node");
              }
            })
            .onFailure(e -> LOG.warning("crawl job " + job.id() + " could not be handed over cleanly (" + e
                + "); another node takes it once its lease runs out")));
      }
      handedOver = Future.join(each).transform(x -> Future.join(List.copyOf(finishing)))
          .transform(x -> {
            vertx.cancelTimer(leaseTimer);
            leaseTimer = -1;
            return pg.close();
          });
    } else {
      for (JobRun run : List.copyOf(runs.values())) {
        run.stop("crawler stopped");
      }
    }
    return handedOver.transform(x -> {
      if (leaseTimer != -1) {
        vertx.cancelTimer(leaseTimer);
      }
      if (fetcher != null) {
        fetcher.close();
      }
      return parsePool == null ? Future.succeededFuture() : parsePool.close();
    });
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
    if (pg != null) {
      startStored(msg, request);
      return;
    }
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

  /** Refuses a job this instance has no room for (a message saying which ceiling), else null. */
  private String noRoom(String client) {
    int maxRunning = config.limits().maxRunningJobs();
    if (runs.size() >= maxRunning) {
      return maxRunning + " crawl jobs are running (crawler.maxRunningJobs); wait for one to finish or cancel one";
    }
    int perClient = config.limits().maxRunningJobsPerClient();
    if (client != null && runningByClient.getOrDefault(client, 0) >= perClient) {
      return perClient + " crawl jobs of " + client + " are running (crawler.maxRunningJobsPerClient); wait for one"
          + " to finish or cancel one";
    }
    return null;
  }

  /**
   * A new job in the store: its row (with this instance's lease) is written before the answer, so that any node can
   * read it as soon as its id is known. Its id names the instance that created it, as in memory, but the job may be
   * run by another one later.
   */
  private void startStored(Message<Object> msg, JobRequest request) {
    String client = msg.headers().get(Addresses.HEADER_CLIENT);
    String refusal = noRoom(client);
    if (refusal != null) {
      msg.fail(Addresses.FAILURE_BUSY, refusal);
      return;
    }
    JsonObject body = body(msg);
    String id = (owner == null ? "" : owner + ".") + "j-" + Long.toString(System.currentTimeMillis(), 36) + "-"
        + HexFormat.of().formatHex(randomBytes(4));
    CrawlJob job = new CrawlJob(id, request);
    job.writeTo(vertx, pg, 1);
    // Counted at once, so that starts arriving while the row is written cannot pass the ceilings together.
    runningByClient.merge(client == null ? "" : client, 1, Integer::sum);
    pg.running().compose(running -> running >= config.historySize()
            ? Future.failedFuture(new IllegalStateException(config.historySize() + " crawl jobs are running"
                + " (crawler.historySize); wait for one to finish or cancel one"))
            : pg.insert(job, body, client, leaseOwner))
        .onComplete(ar -> {
          runningByClient.computeIfPresent(client == null ? "" : client, (c, n) -> n == 1 ? null : n - 1);
          if (ar.failed()) {
            if (ar.cause() instanceof IllegalStateException) {
              msg.fail(Addresses.FAILURE_BUSY, ar.cause().getMessage());
            } else {
              LOG.warning("cannot store a new crawl job in " + pg.describe() + ": " + ar.cause());
              msg.fail(Addresses.FAILURE_UNAVAILABLE, "the crawl store does not answer: " + ar.cause().getMessage());
            }
            return;
          }
          counters.jobStarted();
          JobRun run = launch(job, client);
          msg.reply(job.window(0, DEFAULT_WINDOW));
          run.start();
        });
  }

  /** Runs a job of the store here (new, or taken over); on its end it is written a last time and may evict others. */
  private JobRun launch(CrawlJob job, String client) {
    if (client != null) {
      runningByClient.merge(client, 1, Integer::sum);
    }
    CrawlEvents events = new CrawlEvents(vertx.eventBus(), job, progressEveryPages, "");
    JobRun[] self = new JobRun[1];
    Runnable leave = () -> {
      if (runs.remove(job.id(), self[0])) {
        if (client != null) {
          runningByClient.computeIfPresent(client, (c, n) -> n == 1 ? null : n - 1);
        }
        counters.jobFinished();
        node.records().give(job.records());
      }
    };
    JobRun run = new JobRun(vertx, job, node, events, () -> {
      leave.run();
      Future<?> last = lastWrite(job, 0)
          .compose(v -> pg.evict(config.historySize(), job.id()))
          .onSuccess(evicted -> evicted.forEach(this::deleteDownloads))
          .onComplete(ar -> {
            self[0].closeJournal();
            if (ar.failed()) {
              LOG.warning("crawl job " + job.id() + " ended (" + job.summary().getString("status")
                  + ") but its end may not be written: " + ar.cause());
            }
            events.stateChanged();
          });
      finishing.add(last);
      last.onComplete(x -> finishing.remove(last));
    });
    self[0] = run;
    run.onLost(() -> {
      leave.run();
      LOG.warning("crawl job " + job.id() + " is run by another owner now; this one let it go");
    });
    runs.put(job.id(), run);
    return run;
  }

  /** The job's last write, tried again while the store is away (a few times once this node is stopping). */
  private Future<Void> lastWrite(CrawlJob job, int attempt) {
    return job.flush().recover(e -> {
      if (e instanceof PgCrawlStore.Fenced || (stopping && attempt >= 3)) {
        return Future.failedFuture(e);
      }
      io.vertx.core.Promise<Void> again = io.vertx.core.Promise.promise();
      vertx.setTimer(Math.min(5_000, config.store().flushMs() * (1L << Math.min(6, attempt))),
          t -> lastWrite(job, attempt + 1).onComplete(again));
      return again.future();
    });
  }

  private void deleteDownloads(String jobId) {
    String dir = config.downloadDir().resolve(jobId).toString();
    vertx.fileSystem().deleteRecursive(dir).onFailure(e -> {
      if (!(e instanceof java.nio.file.NoSuchFileException || e.getCause() instanceof java.nio.file.NoSuchFileException)) {
        LOG.warning("cannot delete the downloads of evicted job " + jobId + " in " + dir + ": " + e);
      }
    });
  }

  /** Extends the leases of the jobs running here; a job whose lease is someone else's now stops here. */
  private void renewLeases() {
    List<String> ids = new java.util.ArrayList<>();
    runs.forEach((id, run) -> {
      if (run.job().isRunning()) {
        ids.add(id);
      }
    });
    pg.renew(leaseOwner, ids).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warning("cannot renew the leases of " + ids.size() + " crawl job(s) in " + pg.describe() + ": "
            + ar.cause().getMessage());
        return;
      }
      Map<String, PgCrawlStore.Held> held = new HashMap<>();
      ar.result().forEach(h -> held.put(h.id(), h));
      for (String id : ids) {
        JobRun run = runs.get(id);
        if (run == null || !run.job().isRunning()) {
          continue;
        }
        PgCrawlStore.Held h = held.get(id);
        if (h == null || h.epoch() != run.job().epoch()) {
          LOG.warning("crawl job " + id + " has lost its lease to another owner; this node stops running it");
          run.abandon();
          runs.remove(id);
          counters.jobFinished();
          node.records().give(run.job().records());
        } else if (h.cancelRequested() != null) {
          run.stop(h.cancelRequested());
          LOG.info("crawl job " + id + " cancelled by request");
        }
      }
    });
  }

  /** Takes over jobs that have no live owner (released on a stop, or their owner's lease ran out), while there is room. */
  private void takeOver() {
    if (stopping || scanning || runs.size() >= config.limits().maxRunningJobs()) {
      return;
    }
    scanning = true;
    pg.takeOver(leaseOwner, null).onComplete(ar -> {
      scanning = false;
      if (ar.failed()) {
        LOG.warning("cannot look for crawl jobs to take over in " + pg.describe() + ": " + ar.cause().getMessage());
      } else if (ar.result() != null) {
        adopt(ar.result());
        takeOver();
      }
    });
  }

  /** Goes on with a job just taken over; returns its run, or null if it is not run here. */
  private JobRun adopt(PgCrawlStore.Loaded loaded) {
    JobRun existing = runs.get(loaded.id());
    if (existing != null) {
      existing.job().epoch(loaded.epoch()); // a late renewal: the lease ran out and this node took it back
      return existing;
    }
    if (stopping) {
      pg.release(loaded.id(), loaded.epoch());
      return null;
    }
    CrawlJob job;
    try {
      job = CrawlJob.restore(loaded, config.maxConcurrency(), vertx, pg);
    } catch (InvalidRequestException e) {
      LOG.warning("crawl job " + loaded.id() + " cannot run on this node (" + e.getMessage() + "); letting it go");
      pg.release(loaded.id(), loaded.epoch());
      return null;
    }
    node.records().take(job.records());
    counters.jobStarted();
    String client = loaded.client() == null || loaded.client().isEmpty() ? null : loaded.client();
    JobRun run = launch(job, client);
    LOG.info("took over crawl job " + job.id() + " (lease epoch " + loaded.epoch() + "): "
        + job.summary().getJsonObject("stats").getInteger("pending") + " page(s) to go");
    run.resume();
    if (loaded.cancelRequested() != null) {
      run.stop(loaded.cancelRequested());
    }
    return run;
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
    return store.get(id(body(msg)));
  }

  private static String id(JsonObject body) {
    Object id = body.getValue("id");
    if (!(id instanceof String s) || s.isBlank()) {
      throw new InvalidRequestException("id", "required: the job id");
    }
    return s;
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
    if (pg != null) {
      String id = id(body);
      pg.read(id, offset, limit).onComplete(ar -> {
        if (ar.failed()) {
          msg.fail(Addresses.FAILURE_UNAVAILABLE, "the crawl store does not answer: " + ar.cause().getMessage());
        } else if (ar.result() == null) {
          msg.fail(Addresses.FAILURE_NOT_FOUND, "no crawl job " + id);
        } else {
          msg.reply(ar.result());
        }
      });
      return;
    }
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
    if (pg != null) {
      cancelStored(msg, id(body(msg)));
      return;
    }
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

  /** Header of a cancellation passed on to the job's owner: the owner does not pass it on again. */
  private static final String HEADER_FORWARDED = "hellonet-cancel-forwarded";

  /**
   * Cancels a job of the store: here if it runs here, else through its owner (asked on the event bus), else, when it
   * has no live owner, by taking it over and cancelling it. The request is written first, so that whoever runs the
   * job next stops it even if the owner cannot be reached now.
   */
  private void cancelStored(Message<Object> msg, String id) {
    String reason = "cancelled by request";
    JobRun local = runs.get(id);
    if (local != null && local.job().isRunning()) {
      local.stop(reason);
      LOG.info("crawl job " + id + " cancelled by request");
      msg.reply(local.job().window(0, DEFAULT_WINDOW));
      return;
    }
    pg.requestCancel(id, reason).onComplete(ar -> {
      if (ar.failed()) {
        msg.fail(Addresses.FAILURE_UNAVAILABLE, "the crawl store does not answer: " + ar.cause().getMessage());
        return;
      }
      PgCrawlStore.CancelAsked asked = ar.result();
      if (!asked.running()) {
        replyStored(msg, id);
      } else if (asked.owner() != null && !asked.owner().equals(leaseOwner)
          && msg.headers().get(HEADER_FORWARDED) == null) {
        vertx.eventBus().<JsonObject>request(Addresses.ofInstance(Addresses.CRAWL_CANCEL, asked.owner()),
                new JsonObject().put("id", id), new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(5_000)
                    .addHeader(HEADER_FORWARDED, "1"))
            .onSuccess(reply -> msg.reply(reply.body()))
            .onFailure(e -> replyStored(msg, id)); // its owner stops it at its next renewal
      } else if (asked.owner() == null && !stopping) {
        pg.takeOver(leaseOwner, id).onComplete(taken -> {
          JobRun run = taken.succeeded() && taken.result() != null ? adopt(taken.result()) : null;
          if (run != null) {
            msg.reply(run.job().window(0, DEFAULT_WINDOW));
          } else {
            replyStored(msg, id);
          }
        });
      } else {
        replyStored(msg, id);
      }
    });
  }

  private void replyStored(Message<Object> msg, String id) {
    pg.read(id, 0, DEFAULT_WINDOW).onComplete(ar -> {
      if (ar.failed()) {
        msg.fail(Addresses.FAILURE_UNAVAILABLE, "the crawl store does not answer: " + ar.cause().getMessage());
      } else if (ar.result() == null) {
        msg.fail(Addresses.FAILURE_NOT_FOUND, "no crawl job " + id);
      } else {
        msg.reply(ar.result());
      }
    });
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
    if (pg != null) {
      if (cursor != null && !(cursor instanceof String)) {
        throw new InvalidRequestException("cursor", "unknown job id (evicted from the history?): " + cursor);
      }
      pg.list((String) cursor, limit + 1).onComplete(ar -> {
        if (ar.failed()) {
          msg.fail(Addresses.FAILURE_UNAVAILABLE, "the crawl store does not answer: " + ar.cause().getMessage());
        } else if (ar.result() == null) {
          msg.fail(Addresses.FAILURE_INVALID, "cursor: unknown job id (evicted from the history?): " + cursor);
        } else {
          List<JsonObject> page = ar.result();
          JsonArray jobs = new JsonArray();
          page.stream().limit(limit).forEach(jobs::add);
          msg.reply(new JsonObject().put("jobs", jobs)
              .put("nextCursor", page.size() > limit ? page.get(limit - 1).getString("id") : null));
        }
      });
      return;
    }
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
