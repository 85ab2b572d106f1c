package dev.hellonet.cluster;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Answers the public crawl addresses on this node and routes each request to the crawler instance that owns the job,
 * on this node or another: a new job goes to one of this node's instances (the next in turn, or the one after if that
 * one is full), a job id names its owner ({@link JobIds}), and a list gathers every node's jobs. The crawler instances
 * themselves listen only on their own addresses ({@link Addresses#ofInstance}).
 */
public final class CrawlRouterVerticle extends VerticleBase {
  /** How long an instance, or a node asked for its jobs, may take to answer. */
  static final long TIMEOUT_MS = 5_000;
  /** How long a node may take to send its jobs for a list before it is named unreachable and left out. */
  static final long LIST_NODE_TIMEOUT_MS = 2_000;
  /** Jobs asked of each instance for a list: the most a list can show ({@code limit} is at most this). */
  static final int MAX_LIST_LIMIT = 1000;
  private static final int DEFAULT_LIST_LIMIT = 50;

  private final ClusterView cluster;
  private final int instances;
  /**
   * Jobs in a store every node reads ({@code crawler.store=postgres}): ids are the crawlers' own, and any local
   * instance answers for any job, whoever runs it.
   */
  private final boolean stored;
  private final DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);
  private final DeliveryOptions listOptions = new DeliveryOptions().setSendTimeout(LIST_NODE_TIMEOUT_MS);
  private final DeliveryOptions ownListOptions = new DeliveryOptions(listOptions).setLocalOnly(true);
  /**
   * For this node's own instances: delivered locally, without asking the cluster manager where they are, which a
   * frozen member can stall (a readiness probe asks this node's jobs this way).
   */
  private final DeliveryOptions ownInstances = new DeliveryOptions(options).setLocalOnly(true);
  private int next;

  public CrawlRouterVerticle(ClusterView cluster, int instances) {
    this(cluster, instances, false);
  }

  /** {@code stored}: the jobs live in a store that every node reads, rather than in their owner's memory. */
  public CrawlRouterVerticle(ClusterView cluster, int instances, boolean stored) {
    this.cluster = cluster;
    this.instances = instances;
    this.stored = stored;
  }

  /** The owner name of this node's crawler instance {@code index}: deploy instance {@code index} under it. */
  public static String owner(ClusterView cluster, int index) {
    return JobIds.owner(cluster.shortId(), index);
  }

  @Override
  public Future<?> start() {
    if (stored) {
      return Future.all(List.of(
          vertx.eventBus().localConsumer(Addresses.CRAWL_START, this::start).completion(),
          vertx.eventBus().localConsumer(Addresses.CRAWL_GET, msg -> toAnyInstance(Addresses.CRAWL_GET, msg))
              .completion(),
          vertx.eventBus().localConsumer(Addresses.CRAWL_CANCEL, msg -> toAnyInstance(Addresses.CRAWL_CANCEL, msg))
              .completion(),
          vertx.eventBus().localConsumer(Addresses.CRAWL_LIST, msg -> toAnyInstance(Addresses.CRAWL_LIST, msg))
              .completion(),
          // Readiness asks this node's crawler here; with a shared store its list is every node's.
          vertx.eventBus().consumer(Addresses.ofNode(Addresses.CRAWL_LIST, cluster.nodeId()),
              msg -> toAnyInstance(Addresses.CRAWL_LIST, msg)).completion()));
    }
    return Future.all(List.of(
        vertx.eventBus().localConsumer(Addresses.CRAWL_START, this::start).completion(),
        vertx.eventBus().localConsumer(Addresses.CRAWL_GET, msg -> toOwner(Addresses.CRAWL_GET, msg)).completion(),
        vertx.eventBus().localConsumer(Addresses.CRAWL_CANCEL, msg -> toOwner(Addresses.CRAWL_CANCEL, msg))
            .completion(),
        vertx.eventBus().localConsumer(Addresses.CRAWL_LIST, this::list).completion(),
        vertx.eventBus().consumer(Addresses.ofNode(Addresses.CRAWL_LIST, cluster.nodeId()), this::nodeJobs)
            .completion()));
  }

  private void start(Message<Object> msg) {
    tryStart(msg, next++ % instances, instances);
  }

  /** Offers the job to instance {@code index}; a full one passes it on to the next, until every one has said no. */
  private void tryStart(Message<Object> msg, int index, int left) {
    String owner = owner(cluster, index);
    // The headers go along: the crawler counts running jobs per client by one of them.
    DeliveryOptions forward = new DeliveryOptions(options).setHeaders(msg.headers());
    vertx.eventBus().<JsonObject>request(Addresses.ofInstance(Addresses.CRAWL_START, owner), msg.body(), forward)
        .onSuccess(reply -> msg.reply(stored ? reply.body() : routed(owner, reply.body())))
        .onFailure(e -> {
          if (e instanceof ReplyException r && r.failureCode() == Addresses.FAILURE_BUSY && left > 1) {
            tryStart(msg, (index + 1) % instances, left - 1);
          } else {
            fail(msg, e, null);
          }
        });
  }

  /** A request about stored jobs: one of this node's instances (in turn) reads the store, whoever runs the job. */
  private void toAnyInstance(String address, Message<Object> msg) {
    String owner = owner(cluster, next++ % instances);
    vertx.eventBus().<JsonObject>request(Addresses.ofInstance(address, owner), msg.body(),
            new DeliveryOptions(ownInstances).setHeaders(msg.headers()))
        .onSuccess(reply -> msg.reply(reply.body()))
        .onFailure(e -> fail(msg, e, null));
  }

  private void toOwner(String address, Message<Object> msg) {
    Object raw = msg.body() instanceof JsonObject body ? body.getValue("id") : null;
    if (!(raw instanceof String id) || id.isBlank()) {
      msg.fail(Addresses.FAILURE_INVALID, "id: required: the job id");
      return;
    }
    String[] parts = JobIds.split(id);
    if (parts == null) {
      msg.fail(Addresses.FAILURE_NOT_FOUND, "no crawl job " + id);
      return;
    }
    // The rest of the request (a window of pages: offset, limit) goes along unchanged.
    JsonObject local = ((JsonObject) msg.body()).copy().put("id", parts[1]);
    vertx.eventBus().<JsonObject>request(Addresses.ofInstance(address, parts[0]), local,
            new DeliveryOptions(options).setHeaders(msg.headers()))
        .onSuccess(reply -> msg.reply(routed(parts[0], reply.body())))
        .onFailure(e -> fail(msg, e, id));
  }

  /** This node's jobs, newest first, each with its routed id: what a list on any node gathers. */
  private void nodeJobs(Message<Object> msg) {
    List<Future<JsonArray>> asked = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      String owner = owner(cluster, i);
      asked.add(vertx.eventBus().<JsonObject>request(Addresses.ofInstance(Addresses.CRAWL_LIST, owner),
              new JsonObject().put("limit", MAX_LIST_LIMIT), ownInstances)
          .map(reply -> {
            JsonArray jobs = new JsonArray();
            reply.body().getJsonArray("jobs").forEach(job -> jobs.add(routed(owner, (JsonObject) job)));
            return jobs;
          }));
    }
    Future.all(asked).onComplete(ar -> {
      if (ar.failed()) {
        fail(msg, ar.cause(), null);
        return;
      }
      JsonArray all = new JsonArray();
      asked.forEach(f -> all.addAll(f.result()));
      msg.reply(new JsonObject().put("jobs", all));
    });
  }

  private void list(Message<Object> msg) {
    JsonObject body = msg.body() instanceof JsonObject b ? b : new JsonObject();
    Object rawLimit = body.getValue("limit", DEFAULT_LIST_LIMIT);
    if (!(rawLimit instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
        || n.longValue() > MAX_LIST_LIMIT) {
      msg.fail(Addresses.FAILURE_INVALID, "limit: must be a whole number between 1 and " + MAX_LIST_LIMIT
          + "; got " + rawLimit);
      return;
    }
    for (String key : body.fieldNames()) {
      if (!key.equals("limit") && !key.equals("cursor")) {
        msg.fail(Addresses.FAILURE_INVALID, key + ": unknown field; known fields are [cursor, limit]");
        return;
      }
    }
    Object cursor = body.getValue("cursor");
    List<String> nodes = cluster.nodeIds();
    List<Future<JsonObject>> asked = new ArrayList<>();
    for (String node : nodes) {
      asked.add(vertx.eventBus().<JsonObject>request(Addresses.ofNode(Addresses.CRAWL_LIST, node), null,
          node.equals(cluster.nodeId()) ? ownListOptions : listOptions).map(Message::body));
    }
    // A node that does not answer (leaving, frozen, cut off) is left out and named, rather than failing the list or
    // holding it up past what an HTTP client waits.
    Future.join(asked).onComplete(ignored -> {
      List<JsonObject> jobs = new ArrayList<>();
      JsonArray unreachable = new JsonArray();
      for (int i = 0; i < asked.size(); i++) {
        Future<JsonObject> f = asked.get(i);
        if (f.succeeded()) {
          f.result().getJsonArray("jobs").forEach(job -> jobs.add((JsonObject) job));
        } else {
          unreachable.add(nodes.get(i));
        }
      }
      jobs.sort(Comparator.comparing((JsonObject j) -> j.getString("createdAt"))
          .thenComparing(j -> j.getString("id")).reversed());
      int from = 0;
      if (cursor != null) {
        from = -1;
        for (int i = 0; i < jobs.size(); i++) {
          if (jobs.get(i).getString("id").equals(cursor)) {
            from = i + 1;
          }
        }
        if (from < 0) {
          msg.fail(Addresses.FAILURE_INVALID, "cursor: unknown job id (evicted from the history?): " + cursor);
          return;
        }
      }
      int limit = n.intValue();
      int to = Math.min(jobs.size(), from + limit);
      JsonObject page = new JsonObject().put("jobs", new JsonArray(new ArrayList<>(jobs.subList(from, to))))
          .put("nextCursor", to < jobs.size() ? jobs.get(to - 1).getString("id") : null);
      msg.reply(unreachable.isEmpty() ? page : page.put("unreachable", unreachable));
    });
  }

  private static JsonObject routed(String owner, JsonObject job) {
    return job.copy().put("id", JobIds.routed(owner, job.getString("id")));
  }

  /** Passes a crawler's failure on as it is; an owner nobody answers for is a job that is not there (any more). */
  private static void fail(Message<Object> msg, Throwable e, String id) {
    if (e instanceof ReplyException r) {
      if (r.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        msg.fail(r.failureCode(), r.getMessage());
      } else if (r.failureType() == ReplyFailure.NO_HANDLERS && id != null) {
        msg.fail(Addresses.FAILURE_NOT_FOUND, "no crawl job " + id + " (the node that ran it is not in the cluster"
            + " any more; its jobs left with it)");
      } else {
        msg.fail(Addresses.FAILURE_UNAVAILABLE, "the crawler does not answer: " + r.getMessage());
      }
      return;
    }
    msg.fail(Addresses.FAILURE_INTERNAL, "internal error: " + e);
  }
}
