package dev.hellonet.crawl.job;

import dev.hellonet.config.HellonetConfig.CrawlStoreConfig;
import dev.hellonet.sequence.PostgresSequenceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.hellonet.crawl.job.CrawlSchema.DOWNLOADS;
import static dev.hellonet.crawl.job.CrawlSchema.ITEMS;
import static dev.hellonet.crawl.job.CrawlSchema.JOBS;
import static dev.hellonet.crawl.job.CrawlSchema.PAGES;

/**
 * Crawl jobs in PostgreSQL ({@code crawler.store=postgres}): a row per job with its request, summary and lease, and a
 * row per page, item and download. Every write of a running job is fenced by the job's {@code epoch}, which each
 * takeover raises, so an owner that lost its lease cannot overwrite its successor. Reactive client only: nothing
 * blocks a thread; a flush is one transaction of pipelined batches.
 */
public final class PgCrawlStore {
  static final long STATEMENT_TIMEOUT_MS = 15_000;
  private static final String LEASE = "now() + $%d::int * interval '1 millisecond'";
  static final String INSERT_JOB = "INSERT INTO " + JOBS + " (id, created_at, request, client, status, summary, owner,"
      + " lease_until, epoch) VALUES ($1, $2, $3, $4, 'running', $5, $6, " + LEASE.formatted(7) + ", 1)";
  static final String WRITE_JOB = "UPDATE " + JOBS + " SET status = $3, summary = $4, pages = $5, items = $6,"
      + " downloads = $7, finished_at = $8 WHERE id = $1 AND epoch = $2 RETURNING id";
  static final String UPSERT_PAGE = "INSERT INTO " + PAGES + " (job_id, seq, url, depth, referrer, crawl, detail,"
      + " status, http_status, final_url, bytes, attempts, elapsed_ms, title, error, detail_fields) VALUES ($1, $2, $3,"
      + " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (job_id, seq) DO UPDATE SET"
      + " crawl = EXCLUDED.crawl, detail = EXCLUDED.detail, status = EXCLUDED.status,"
      + " http_status = EXCLUDED.http_status, final_url = EXCLUDED.final_url, bytes = EXCLUDED.bytes,"
      + " attempts = EXCLUDED.attempts, elapsed_ms = EXCLUDED.elapsed_ms, title = EXCLUDED.title,"
      + " error = EXCLUDED.error, detail_fields = EXCLUDED.detail_fields";
  static final String UPSERT_ITEM = "INSERT INTO " + ITEMS + " (job_id, seq, page_url, page_index, fields,"
      + " waiting_for) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, seq) DO UPDATE SET"
      + " fields = EXCLUDED.fields, waiting_for = EXCLUDED.waiting_for";
  static final String UPSERT_DOWNLOAD = "INSERT INTO " + DOWNLOADS + " (job_id, seq, url, file, status, http_status,"
      + " bytes, attempts, error, node, path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
      + " ON CONFLICT (job_id, seq) DO UPDATE SET status = EXCLUDED.status, http_status = EXCLUDED.http_status,"
      + " bytes = EXCLUDED.bytes, attempts = EXCLUDED.attempts, error = EXCLUDED.error, node = EXCLUDED.node,"
      + " path = EXCLUDED.path";
  static final String RENEW = "UPDATE " + JOBS + " SET lease_until = " + LEASE.formatted(2) + " WHERE owner = $1"
      + " AND status = 'running' AND id = ANY($3) RETURNING id, epoch, cancel_requested";
  private static final String TAKE = "UPDATE " + JOBS + " SET owner = $1, lease_until = " + LEASE.formatted(2)
      + ", epoch = epoch + 1 WHERE id = (SELECT id FROM " + JOBS + " WHERE status = 'running' AND %s"
      + " (lease_until IS NULL OR lease_until < now()) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
      + " RETURNING id, epoch, created_at, request, client, summary, cancel_requested";
  static final String TAKE_ANY = TAKE.formatted("");
  static final String TAKE_ONE = TAKE.formatted("id = $3 AND");
  static final String RELEASE = "UPDATE " + JOBS + " SET owner = NULL, lease_until = NULL WHERE id = $1 AND epoch = $2";
  static final String EVICT = "DELETE FROM " + JOBS + " WHERE status <> 'running' AND id <> $2 AND id NOT IN"
      + " (SELECT id FROM " + JOBS + " ORDER BY created_at DESC, id DESC LIMIT $1) RETURNING id";

  private final Pool pool;
  private final CrawlStoreConfig config;
  private final String description;

  private PgCrawlStore(Pool pool, CrawlStoreConfig config) {
    this.pool = pool;
    this.config = config;
    var pg = config.postgres();
    this.description = "postgres://" + pg.user() + "@" + pg.host() + ":" + pg.port() + "/" + pg.database();
  }

  /** A pool on the {@code sequence.postgres.*} database, for the store or for {@code hellonet init}. */
  public static Pool pool(Vertx vertx, CrawlStoreConfig config) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.poolSize()).setName("hellonet-crawl")
            .setConnectionTimeout(10_000).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout(5_000))
        .connectingTo(PostgresSequenceStore.connectOptions(config.postgres()))
        .using(vertx)
        .build();
  }

  /** Connects and checks the schema version; fails saying what is wrong (and what to run). */
  public static Future<PgCrawlStore> open(Vertx vertx, CrawlStoreConfig config) {
    Pool pool;
    try {
      pool = pool(vertx, config);
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cannot set up the PostgreSQL crawl store: " + e, e));
    }
    PostgresSequenceStore.warnIfUnverified(config.postgres());
    PgCrawlStore store = new PgCrawlStore(pool, config);
    return CrawlSchema.check(pool).map(store)
        .recover(e -> pool.close().transform(x -> Future.failedFuture(new IllegalStateException(
            "cannot open the crawl store " + store.description + " (crawler.store=postgres): "
                + PostgresSequenceStore.explain(e, config.postgres()), e))));
  }

  /** Where the store is, without credentials. */
  public String describe() {
    return description;
  }

  CrawlStoreConfig config() {
    return config;
  }

  public Future<Void> close() {
    return pool.close();
  }

  private static OffsetDateTime time(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  private <T> Future<T> timed(Future<T> f) {
    return f.timeout(STATEMENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  /** A new job, leased by {@code owner}, at epoch 1. */
  public Future<Void> insert(CrawlJob job, JsonObject request, String client, String owner) {
    return timed(pool.preparedQuery(INSERT_JOB).execute(Tuple.from(List.<Object>of(job.id, time(job.createdAt),
        request, client == null ? "" : client, job.summary(), owner, (int) config.leaseMs())))).mapEmpty();
  }

  /** Jobs running in the whole store: a new one is refused at {@code crawler.historySize}. */
  public Future<Long> running() {
    return timed(pool.query("SELECT count(*) FROM " + JOBS + " WHERE status = 'running'").execute())
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** What one flush writes: the job's row and the records changed since the last flush, as of one moment. */
  record Snapshot(String id, long epoch, String status, JsonObject summary, int pages, int items, int downloads,
                  Instant finishedAt, List<Tuple> pageRows, List<Tuple> itemRows, List<Tuple> downloadRows) {}

  /** Thrown when a write finds the job's epoch moved on: another owner has it now. */
  public static final class Fenced extends RuntimeException {
    Fenced(String id) {
      super("crawl job " + id + " has been taken over by another owner", null, false, false);
    }
  }

  /** Writes a snapshot in one transaction; fails with {@link Fenced} when the job is not this epoch's any more. */
  Future<Void> write(Snapshot s) {
    return timed(pool.withTransaction(conn -> {
      Future<RowSet<Row>> job = conn.preparedQuery(WRITE_JOB).execute(Tuple.from(List.<Object>of(s.id(), s.epoch(),
          s.status(), s.summary(), s.pages(), s.items(), s.downloads())).addValue(time(s.finishedAt())));
      // Sent together: the client pipelines them on the connection instead of waiting for each answer.
      List<Future<?>> writes = new ArrayList<>();
      writes.add(job);
      if (!s.pageRows().isEmpty()) {
        writes.add(conn.preparedQuery(UPSERT_PAGE).executeBatch(s.pageRows()));
      }
      if (!s.itemRows().isEmpty()) {
        writes.add(conn.preparedQuery(UPSERT_ITEM).executeBatch(s.itemRows()));
      }
      if (!s.downloadRows().isEmpty()) {
        writes.add(conn.preparedQuery(UPSERT_DOWNLOAD).executeBatch(s.downloadRows()));
      }
      return Future.all(writes).compose(all -> job.result().rowCount() == 1 ? Future.<Void>succeededFuture()
          : Future.failedFuture(new Fenced(s.id())));
    }));
  }

  /** A job this owner holds, as the renewal found it. */
  public record Held(String id, long epoch, String cancelRequested) {}

  /** Extends the leases of {@code ids}; answers the ones still this owner's. */
  public Future<List<Held>> renew(String owner, List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return timed(pool.preparedQuery(RENEW).execute(Tuple.of(owner, (int) config.leaseMs(),
        ids.toArray(new String[0])))).map(rows -> {
          List<Held> held = new ArrayList<>();
          for (Row row : rows) {
            held.add(new Held(row.getString(0), row.getLong(1), row.getString(2)));
          }
          return held;
        });
  }

  /** A job taken over: its row and every record it has, in order. */
  public record Loaded(String id, long epoch, Instant createdAt, JsonObject request, String client, JsonObject summary,
                String cancelRequested, RowSet<Row> pages, RowSet<Row> items, RowSet<Row> downloads) {}

  /**
   * Takes over the oldest running job whose lease is free or expired (or job {@code id} only, when not null) and
   * loads it; null when there is none.
   */
  public Future<Loaded> takeOver(String owner, String id) {
    Tuple args = Tuple.of(owner, (int) config.leaseMs());
    if (id != null) {
      args.addString(id);
    }
    return timed(pool.preparedQuery(id == null ? TAKE_ANY : TAKE_ONE).execute(args)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture();
      }
      Row job = rows.iterator().next();
      String jobId = job.getString("id");
      Tuple key = Tuple.of(jobId);
      return timed(pool.withConnection(conn -> {
        var pages = conn.preparedQuery("SELECT * FROM " + PAGES + " WHERE job_id = $1 ORDER BY seq").execute(key);
        var items = conn.preparedQuery("SELECT * FROM " + ITEMS + " WHERE job_id = $1 ORDER BY seq").execute(key);
        var downloads = conn.preparedQuery("SELECT * FROM " + DOWNLOADS + " WHERE job_id = $1 ORDER BY seq")
            .execute(key);
        return Future.all(pages, items, downloads).map(all -> new Loaded(jobId, job.getLong("epoch"),
            job.getOffsetDateTime("created_at").toInstant(), json(job.getValue("request")), job.getString("client"),
            json(job.getValue("summary")), job.getString("cancel_requested"), pages.result(), items.result(),
            downloads.result()));
      }));
    });
  }

  /** Frees the lease of a job handed over on a graceful stop, so that another node takes it at once. */
  public Future<Void> release(String id, long epoch) {
    return timed(pool.preparedQuery(RELEASE).execute(Tuple.of(id, epoch))).mapEmpty();
  }

  /** Asks for a running job's cancellation; the live owner (if its lease has not run out), or null. */
  public record CancelAsked(boolean running, String owner) {}

  public Future<CancelAsked> requestCancel(String id, String reason) {
    return timed(pool.preparedQuery("UPDATE " + JOBS + " SET cancel_requested = coalesce(cancel_requested, $2)"
        + " WHERE id = $1 AND status = 'running' RETURNING CASE WHEN lease_until > now() THEN owner END")
        .execute(Tuple.of(id, reason)))
        .map(rows -> rows.size() == 0 ? new CancelAsked(false, null)
            : new CancelAsked(true, rows.iterator().next().getString(0)));
  }

  /** Drops the oldest finished jobs beyond {@code keep} jobs, except {@code spare}; their ids. */
  public Future<List<String>> evict(int keep, String spare) {
    return timed(pool.preparedQuery(EVICT).execute(Tuple.of(keep, spare))).map(rows -> {
      List<String> ids = new ArrayList<>();
      rows.forEach(r -> ids.add(r.getString(0)));
      return ids;
    });
  }

  /** The job with one window of its records, as {@link CrawlJob#window} answers; null when there is no such job. */
  public Future<JsonObject> read(String id, int offset, int limit) {
    Tuple window = Tuple.of(id, offset, limit);
    return timed(pool.withConnection(conn -> {
      var job = conn.preparedQuery("SELECT summary, pages, items, downloads FROM " + JOBS + " WHERE id = $1")
          .execute(Tuple.of(id));
      var pages = conn.preparedQuery("SELECT * FROM " + PAGES + " WHERE job_id = $1 ORDER BY seq OFFSET $2 LIMIT $3")
          .execute(window);
      var items = conn.preparedQuery("SELECT fields FROM " + ITEMS + " WHERE job_id = $1 ORDER BY seq OFFSET $2"
          + " LIMIT $3").execute(window);
      var downloads = conn.preparedQuery("SELECT * FROM " + DOWNLOADS + " WHERE job_id = $1 ORDER BY seq OFFSET $2"
          + " LIMIT $3").execute(window);
      return Future.all(job, pages, items, downloads).map(all -> {
        if (job.result().size() == 0) {
          return null;
        }
        Row row = job.result().iterator().next();
        JsonArray p = new JsonArray();
        pages.result().forEach(r -> p.add(PageRecord.from(r).toJson()));
        JsonArray i = new JsonArray();
        items.result().forEach(r -> i.add(json(r.getValue(0))));
        JsonArray d = new JsonArray();
        downloads.result().forEach(r -> d.add(DownloadRecord.from(r).toJson()));
        return json(row.getValue(0)).put("pages", p).put("items", i).put("downloads", d)
            .put("window", new JsonObject().put("offset", offset).put("limit", limit)
                .put("totals", new JsonObject().put("pages", row.getInteger(1)).put("items", row.getInteger(2))
                    .put("downloads", row.getInteger(3))));
      });
    }));
  }

  /** Up to {@code limit} job summaries, newest first, after {@code cursor}; null when the cursor is unknown. */
  public Future<List<JsonObject>> list(String cursor, int limit) {
    String after = cursor == null ? "" : " WHERE (created_at, id) < (SELECT created_at, id FROM " + JOBS
        + " WHERE id = $2)";
    Tuple args = cursor == null ? Tuple.of(limit) : Tuple.of(limit, cursor);
    Future<Boolean> known = cursor == null ? Future.succeededFuture(true)
        : timed(pool.preparedQuery("SELECT 1 FROM " + JOBS + " WHERE id = $1").execute(Tuple.of(cursor)))
            .map(rows -> rows.size() == 1);
    return known.compose(ok -> !ok ? Future.succeededFuture((List<JsonObject>) null)
        : timed(pool.preparedQuery("SELECT summary FROM " + JOBS + after + " ORDER BY created_at DESC, id DESC"
            + " LIMIT $1").execute(args)).map(rows -> {
              List<JsonObject> jobs = new ArrayList<>();
              rows.forEach(r -> jobs.add(json(r.getValue(0))));
              return jobs;
            }));
  }

  static JsonObject json(Object value) {
    if (value == null) {
      return null;
    }
    return value instanceof JsonObject j ? j : new JsonObject(value.toString());
  }
}
