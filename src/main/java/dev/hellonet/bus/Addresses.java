package dev.hellonet.bus;

/**
 * Every event-bus address hellonet uses, with the shape of what travels on it. docs/event-bus.md is the user-facing
 * copy of this list.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * Published by every node every {@code counters.publishIntervalMs}: a counters snapshot, JSON
   * {@code {"node": str, "time": epochMillis, "<role>": {"total": {name: long}, "instances": [{"instance": str,
   * name: long, ...}]}}}. Roles so far: {@code hello} (requests, replies, badRequests, connectionsAccepted,
   * connectionsActive, connectionsClosed, unavailableReplies, sequenceLeases, sequenceLeased, sequenceIssued,
   * sequenceHeld, and the
   * abuse counters rejectedGlobalLimit, rejectedPerIpLimit, rejectedRateLimit, rejectedFirstRequestTimeout, rejectedIdleTimeout,
   * rejectedSlowReader, rejectedRequestTooLong), {@code protection} (openConnections, maxConnections, kernelWarnings),
   * {@code sequence} (highWaterMark, leases, leaseFailures, leaseLatencyTotalMicros, leaseLatencyMaxMicros,
   * leaseLatencyLastMicros, withoutStoreMs, exhaustedInstances) and {@code crawler} (jobsStarted, jobsRunning,
   * jobsFinished, pagesFetched, pagesFailed, pagesSkipped, downloads, bytes, inFlight), and {@code bridge} when the
   * TCP event bus bridge is on (connections, frames, refusals by reason; listed in docs/event-bus.md).
   */
  public static final String COUNTERS = "hellonet.counters";

  /**
   * Request-reply, this node only (a local consumer, also in a cluster): any body; the reply is this node's counters
   * snapshot, shaped as on {@link #COUNTERS}.
   */
  public static final String COUNTERS_GET = "hellonet.counters.get";

  // One node of the cluster answers ofNode(COUNTERS_GET, nodeId): that node's snapshot, as on COUNTERS.

  /**
   * Request-reply, answered on the node asked: any body; the reply is the cluster's counters: shaped as on
   * {@link #COUNTERS} with every role's total summed over the live nodes and its instances listed with their
   * {@code node}, plus {@code "cluster": {"nodes": [{"id", "node", "state": "live"|"unreachable"|"departed",
   * "time", "final" (departed only), "<role>": {"total"}}], "departed": {"final": bool, "<role>": {"total"}}}}: nodes
   * that left (stopped or killed) with the last figures they kept; {@code final} false: kept by a periodic publish,
   * not by a graceful stop, so the node may have counted more after {@code time}. Standalone, the cluster is this node.
   */
  public static final String CLUSTER_COUNTERS = "hellonet.cluster.counters";

  /**
   * Name of the cluster-wide map (Vert.x shared data) where every node keeps its last published counters snapshot,
   * keyed by node id, so that the figures of a node that left stay readable. The snapshot a node keeps on a graceful
   * stop, after its other roles stopped, carries {@code "final": true}.
   */
  public static final String COUNTERS_LAST_MAP = "hellonet.counters.last";

  /**
   * Request-reply: body a crawl job request (see {@code hellonet/openapi.yaml}, schema CrawlRequest); the reply is the
   * new job, shaped as schema Crawl, status {@code running}. Fails with {@link #FAILURE_INVALID} naming the field, or
   * {@link #FAILURE_BUSY} when {@code crawler.historySize} or {@code crawler.maxRunningJobs} jobs are running, or
   * {@code crawler.maxRunningJobsPerClient} of the client named by header {@link #HEADER_CLIENT}.
   */
  public static final String CRAWL_START = "hellonet.crawler.start";
  /**
   * Message header on {@link #CRAWL_START}: who asks (the HTTP API puts the client's source address here), for the
   * per-client share of running jobs. Requests without it (in-process callers) have no per-client share.
   */
  public static final String HEADER_CLIENT = "client";

  /** Request-reply: body {@code {"id": str}}; the reply is that job in full (schema Crawl), or {@link #FAILURE_NOT_FOUND}. */
  public static final String CRAWL_GET = "hellonet.crawler.get";

  /**
   * Request-reply: body {@code {"limit": 1..1000 (default 50), "cursor": job id or absent}}; the reply is
   * {@code {"jobs": [Crawl without pages, items, downloads], "nextCursor": str or null}}, newest first.
   */
  public static final String CRAWL_LIST = "hellonet.crawler.list";

  /**
   * Request-reply: body {@code {"id": str}}; stops the job (a finished job is left as it is) and replies with it in
   * full, or fails with {@link #FAILURE_NOT_FOUND}.
   */
  public static final String CRAWL_CANCEL = "hellonet.crawler.cancel";

  /**
   * Published by the crawler as a job moves: {@code {"event": "state" | "pages", "job": CrawlSummary}} where the job
   * is shaped as in {@link #CRAWL_LIST} (id, status, createdAt, finishedAt, error, stats). {@code state}: the job
   * started ({@code running}) or ended ({@code completed} or {@code cancelled}; the last event of a job);
   * {@code pages}: another {@code events.crawlProgressEveryPages} pages of a running job reached a final status.
   */
  public static final String CRAWL_PROGRESS = "hellonet.crawler.progress";

  /**
   * Request-reply: any body; the reply describes this node: {@code {"version": str, "startedAt": ISO-8601,
   * "uptimeMs": long, "transport": str, "accepting": bool (false once a graceful stop has begun), "instances":
   * {role: int}, "hello": {"listening": bool, "port": int}, "sequence": {"store": str, "kind": "file"|"postgres",
   * "path" (file) or "host", "port", "database", "name" (postgres), "highWaterMark": long (read from the store now,
   * else the last seen), "reachable": bool, "error": str (when not reachable), "healthy": bool, "lastError": str,
   * "exhaustedInstances": int, and the store's counters}, "kernelDefences": {"warnings": [str]}, "protection": {the
   * limits in force, "kernel": {"sysctls": {name: long}, "warnings": [str]}}}}. A store that does not answer is
   * reported in "sequence", never as a failure (docs/event-bus.md). On a worker of a supervisor also {@code
   * "supervisor": {"pid", "startedAt", "workers": [{"index", "pid", "state", "restarts", "lastExitCode",
   * "startedAt"}]}}, and when clustered {@code "cluster": {"nodeId", "nodes": [nodeId]}}. A local consumer: the node
   * asked answers.
   */
  public static final String NODE_STATUS = "hellonet.node.status";

  /**
   * The crawl addresses of one crawler instance: {@code CRAWL_* + "@" + owner}, where owner is
   * {@code <node short id>.<instance index>}. The public {@code CRAWL_*} addresses are answered on each node by a
   * router that sends a new job to one of the node's instances and reaches a job's owner (on any node) from the
   * owner named at the start of its id ({@code <owner>.<local id>}).
   */
  public static String ofInstance(String address, String owner) {
    return address + "@" + owner;
  }

  /** A node-addressed form of {@code address}: {@code address + "@" + nodeId}. */
  public static String ofNode(String address, String nodeId) {
    return address + "@" + nodeId;
  }

  /** Failure code: the request body is invalid; the message names the field. */
  public static final int FAILURE_INVALID = 400;
  /** Failure code: no job with that id (never existed, or evicted from the history). */
  public static final int FAILURE_NOT_FOUND = 404;
  /** Failure code: too many jobs are running to start another. */
  public static final int FAILURE_BUSY = 429;
  /** Failure code: a part the request needs (such as the sequence store) does not answer now. */
  public static final int FAILURE_UNAVAILABLE = 503;
  /** Failure code: an unexpected error in the crawler; the message says what. */
  public static final int FAILURE_INTERNAL = 500;
}
