package dev.hellonet.crawl.job;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * The tables crawl jobs live in when {@code crawler.store} is {@code postgres}, and their version in
 * {@code hellonet_schema_version}. Only the deliberate {@code hellonet init} step creates or migrates them; a node
 * checks the version at start and refuses one it does not know, so a node never runs on tables it half understands.
 */
public final class CrawlSchema {
  /** The component's row in the version table. */
  static final String COMPONENT = "crawl";
  /** The version this code writes and reads; {@link #MIGRATIONS} has one entry per version. */
  public static final int VERSION = 1;
  static final String VERSION_TABLE = "hellonet_schema_version";
  static final String JOBS = "hellonet_crawl_job";
  static final String PAGES = "hellonet_crawl_page";
  static final String ITEMS = "hellonet_crawl_item";
  static final String DOWNLOADS = "hellonet_crawl_download";
  /** Serialises initialisation between two init runs at once ("hncrawl!" in ASCII). */
  static final long INIT_LOCK = 0x686e637261776c21L;

  static final String CREATE_VERSION_TABLE = "CREATE TABLE IF NOT EXISTS " + VERSION_TABLE
      + " (component text PRIMARY KEY, version int NOT NULL)";

  /**
   * Statements that take the schema from version {@code i} to {@code i + 1}. Pages, items and downloads are keyed by
   * their position in the job ({@code seq}, what a window pages through) and, to make a rewrite after a takeover
   * idempotent, by what they are: a page by its URL, an item by the page it came from and its place on that page.
   */
  static final List<List<String>> MIGRATIONS = List.of(List.of(
      "CREATE TABLE " + JOBS + " (id text PRIMARY KEY, created_at timestamptz NOT NULL, request jsonb NOT NULL,"
          + " client text, status text NOT NULL, summary jsonb NOT NULL, pages int NOT NULL DEFAULT 0,"
          + " items int NOT NULL DEFAULT 0, downloads int NOT NULL DEFAULT 0, owner text, lease_until timestamptz,"
          + " epoch bigint NOT NULL DEFAULT 0, cancel_requested text, finished_at timestamptz)",
      "CREATE INDEX " + JOBS + "_created ON " + JOBS + " (created_at DESC, id DESC)",
      "CREATE INDEX " + JOBS + "_running ON " + JOBS + " (lease_until) WHERE status = 'running'",
      "CREATE TABLE " + PAGES + " (job_id text NOT NULL REFERENCES " + JOBS + " (id) ON DELETE CASCADE,"
          + " seq int NOT NULL, url text NOT NULL, depth int NOT NULL, referrer text, crawl boolean NOT NULL,"
          + " detail boolean NOT NULL, status text NOT NULL, http_status int, final_url text, bytes bigint NOT NULL,"
          + " attempts int NOT NULL, elapsed_ms bigint NOT NULL, title text, error text, detail_fields jsonb,"
          + " PRIMARY KEY (job_id, seq), UNIQUE (job_id, url))",
      "CREATE INDEX " + PAGES + "_pending ON " + PAGES + " (job_id) WHERE status = 'pending'",
      "CREATE TABLE " + ITEMS + " (job_id text NOT NULL REFERENCES " + JOBS + " (id) ON DELETE CASCADE,"
          + " seq int NOT NULL, page_url text NOT NULL, page_index int NOT NULL, fields jsonb NOT NULL,"
          + " waiting_for text, PRIMARY KEY (job_id, seq), UNIQUE (job_id, page_url, page_index))",
      "CREATE TABLE " + DOWNLOADS + " (job_id text NOT NULL REFERENCES " + JOBS + " (id) ON DELETE CASCADE,"
          + " seq int NOT NULL, url text NOT NULL, file text, status text NOT NULL, http_status int,"
          + " bytes bigint NOT NULL, attempts int NOT NULL, error text, node text, path text,"
          + " PRIMARY KEY (job_id, seq))"));

  private CrawlSchema() {}

  /** The version the database holds: 0 when the crawl tables were never created. */
  static Future<Integer> version(SqlConnection conn) {
    return conn.query("SELECT to_regclass('" + VERSION_TABLE + "') IS NOT NULL").execute()
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(0);
          }
          return conn.preparedQuery("SELECT version FROM " + VERSION_TABLE + " WHERE component = $1")
              .execute(Tuple.of(COMPONENT))
              .map(CrawlSchema::versionOf);
        });
  }

  private static int versionOf(RowSet<Row> rows) {
    return rows.size() == 0 ? 0 : rows.iterator().next().getInteger(0);
  }

  /** Fails unless the database holds exactly this code's version, saying what to run. */
  static Future<Void> check(Pool pool) {
    return pool.withConnection(CrawlSchema::version).compose(v -> {
      if (v == VERSION) {
        return Future.succeededFuture();
      }
      String what = v == 0 ? "the crawl tables do not exist" : v < VERSION
          ? "the crawl tables are at schema version " + v + ", this node needs " + VERSION
          : "the crawl tables are at schema version " + v + ", newer than this node's " + VERSION
              + " (a newer hellonet migrated them; run that version)";
      return Future.failedFuture(new IllegalStateException(what + " and crawler.store is postgres;"
          + (v > VERSION ? "" : " create or migrate them once with hellonet init")));
    });
  }

  /**
   * Creates the tables, or migrates them to {@link #VERSION}, in one transaction under an advisory lock; does nothing
   * when they are current. Completes with one line for the operator.
   */
  public static Future<String> initialise(Pool pool) {
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + INIT_LOCK + ")").execute()
        .compose(locked -> version(conn))
        .compose(from -> {
          if (from == VERSION) {
            return Future.succeededFuture("the crawl tables are at schema version " + VERSION + "; left as they are");
          }
          if (from > VERSION) {
            return Future.failedFuture(new IllegalStateException("the crawl tables are at schema version " + from
                + ", newer than this hellonet's " + VERSION + "; not touched"));
          }
          Future<?> steps = conn.query(CREATE_VERSION_TABLE).execute();
          for (int v = from; v < VERSION; v++) {
            for (String sql : MIGRATIONS.get(v)) {
              steps = steps.compose(x -> conn.query(sql).execute());
            }
          }
          return steps
              .compose(x -> conn.preparedQuery("INSERT INTO " + VERSION_TABLE + " (component, version) VALUES ($1, $2)"
                  + " ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version")
                  .execute(Tuple.of(COMPONENT, VERSION)))
              .map(x -> from == 0 ? "created the crawl tables at schema version " + VERSION
                  : "migrated the crawl tables from schema version " + from + " to " + VERSION);
        }));
  }
}
