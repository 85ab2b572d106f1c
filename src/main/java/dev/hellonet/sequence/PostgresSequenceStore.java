package dev.hellonet.sequence;

import dev.hellonet.config.HellonetConfig.PostgresConfig;
import dev.hellonet.net.LoopbackHost;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import javax.net.ssl.TrustManagerFactory;
import java.net.ConnectException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A {@link SequenceStore} in one row of a PostgreSQL table, so that nodes on different hosts share one sequence. A
 * lease is one atomic, auto-committed statement ({@link #LEASE}): the row lock serialises concurrent leases, and the
 * block is returned only after the commit, so every number handed out is durably leased (the session asks for
 * {@code synchronous_commit=on} whatever the server's default). Uses the reactive client: nothing blocks a thread.
 */
public final class PostgresSequenceStore implements SequenceStore {
  /** The table; one row per sequence name, so several deployments can share a database. */
  static final String TABLE = "hellonet_sequence";
  static final String LEASE = "UPDATE " + TABLE + " SET high_water = high_water + $2 WHERE name = $1 RETURNING high_water";
  /** Lowers the mark only if nothing was leased after the block: the same rule as the file store. */
  static final String GIVE_BACK = "UPDATE " + TABLE + " SET high_water = $3 WHERE name = $1 AND high_water = $2";
  static final String READ = "SELECT high_water FROM " + TABLE + " WHERE name = $1";
  /**
   * The database cluster's system identifier (chosen at initdb, kept by every copy made from its files, different for
   * every other cluster) and the database's oid: which database this is, whatever host name reaches it.
   * {@code pg_control_system()} is executable by every role unless an administrator revoked it.
   */
  static final String IDENTITY = "SELECT (SELECT system_identifier FROM pg_control_system())::text, d.oid::bigint"
      + " FROM pg_database d WHERE d.datname = current_database()";
  static final String CREATE = "CREATE TABLE IF NOT EXISTS " + TABLE + " (name text PRIMARY KEY,"
      + " high_water bigint NOT NULL CHECK (high_water >= 1))";
  /** Serialises schema creation between nodes starting at once ("hellonet" in ASCII). */
  static final long SCHEMA_LOCK = 0x68656c6c6f6e6574L;
  /** A lease that takes longer fails and is retried; if it did commit, its numbers are only a gap. */
  static final long LEASE_TIMEOUT_MS = 10_000;
  static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final Logger LOG = Logger.getLogger(PostgresSequenceStore.class.getName());

  private final Pool pool;
  private final PostgresConfig config;
  private final String description;
  private final StoreHealth health = new StoreHealth();
  private volatile long knownMark;
  /** Recent leases, end -> start: give-back only accepts the unused tail of one of them. Guarded by itself. */
  private final Map<Long, Long> recentLeases = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
      return size() > 64;
    }
  };

  private PostgresSequenceStore(Pool pool, PostgresConfig config) {
    this.pool = pool;
    this.config = config;
    this.description = "postgres://" + config.user() + "@" + config.host() + ":" + config.port() + "/"
        + config.database() + "?sequence=" + config.name();
  }

  /**
   * Connects, creates the table and the row if they are missing (when {@code createIfMissing}; otherwise a missing one
   * stops the start) and reads the mark. Fails with a {@link SequenceStoreException} that says what is wrong: the
   * server cannot be reached, the password is refused, the database does not exist.
   */
  public static Future<SequenceStore> open(Vertx vertx, PostgresConfig config, boolean createIfMissing) {
    Pool pool;
    try {
      pool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(config.poolSize()).setName("hellonet-sequence-" + config.name())
              .setConnectionTimeout(CONNECT_TIMEOUT_MS * 2).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
          .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS))
          .connectingTo(connectOptions(config))
          .using(vertx)
          .build();
    } catch (RuntimeException e) {
      return Future.failedFuture(new SequenceStoreException("cannot set up the PostgreSQL sequence store: " + e, e));
    }
    warnIfUnverified(config);
    PostgresSequenceStore store = new PostgresSequenceStore(pool, config);
    return store.prepare(createIfMissing)
        .<SequenceStore>map(store)
        .recover(e -> pool.close().transform(ignored -> {
          String message = "cannot open the sequence store " + store.description + ": " + explain(e, config);
          return Future.failedFuture(e instanceof SequenceStoreException s && s.isMissing()
              ? SequenceStoreException.missing(message) : new SequenceStoreException(message, e));
        }));
  }

  /**
   * How to reach the database of {@code sequence.postgres.*}: shared by everything hellonet keeps there (the
   * sequence, and the crawl jobs when {@code crawler.store} is {@code postgres}).
   */
  public static PgConnectOptions connectOptions(PostgresConfig config) {
    Map<String, String> properties = new HashMap<>(PgConnectOptions.DEFAULT_PROPERTIES);
    properties.put("application_name", "hellonet");
    // A lease must survive a database crash once it has been answered, whatever the server's default says.
    properties.put("synchronous_commit", "on");
    PgConnectOptions options = new PgConnectOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setDatabase(config.database())
        .setUser(config.user())
        .setPassword(config.password())
        .setCachePreparedStatements(true)
        .setSslMode(SslMode.of(config.sslMode()));
    options.setProperties(properties);
    options.setSslOptions(sslOptions(config));
    return options;
  }

  /**
   * As libpq: {@code allow}, {@code prefer} and {@code require} encrypt without checking the certificate;
   * {@code verify-ca} checks it against the CA in {@code sslRootCert} (or, without one, the JVM's trust store);
   * {@code verify-full} also checks that it names the host connected to.
   */
  private static ClientSSLOptions sslOptions(PostgresConfig config) {
    String mode = config.sslMode();
    if (!mode.startsWith("verify-")) {
      return new ClientSSLOptions().setTrustAll(true);
    }
    ClientSSLOptions options = new ClientSSLOptions()
        .setHostnameVerificationAlgorithm(mode.equals("verify-full") ? "HTTPS" : "");
    if (!config.sslRootCert().isEmpty()) {
      return options.setTrustOptions(new PemTrustOptions().addCertPath(config.sslRootCert()));
    }
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      return options.setTrustOptions(TrustOptions.wrap(tmf));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM's default trust store cannot be loaded: " + e, e);
    }
  }

  /**
   * Without a verifying mode anyone on the path to the database can pose as it; that is a choice to make on purpose,
   * so a non-loopback host without one is said once at start.
   */
  public static void warnIfUnverified(PostgresConfig config) {
    if (!config.sslMode().startsWith("verify-") && !LoopbackHost.is(config.host())) {
      LOG.warning("sequence.postgres.sslMode is " + config.sslMode() + ": the certificate of the database at "
          + config.host() + " is not checked. Set sequence.postgres.sslMode=verify-full and"
          + " sequence.postgres.sslRootCert to its CA's certificate file");
    }
  }

  /** What went wrong, in the words an operator needs, without the password. */
  public static String explain(Throwable e, PostgresConfig config) {
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof PgException) && !(cause instanceof ConnectException)) {
      cause = cause.getCause();
    }
    String at = config.host() + ":" + config.port();
    if (cause instanceof PgException pg) {
      return switch (pg.getSqlState()) {
        case "28P01" -> "password authentication failed for user \"" + config.user() + "\" at " + at
            + " (the password comes from HELLONET_SEQUENCE_POSTGRES_PASSWORD or sequence.postgres.passwordFile)";
        case "28000" -> "the server at " + at + " refuses user \"" + config.user() + "\": " + pg.getErrorMessage();
        case "3D000" -> "database \"" + config.database() + "\" does not exist at " + at
            + " (sequence.postgres.database); create it first, hellonet creates only its table";
        case "42501" -> "user \"" + config.user() + "\" lacks a privilege: " + pg.getErrorMessage();
        default -> pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")";
      };
    }
    if (cause instanceof ConnectException) {
      return "cannot reach PostgreSQL at " + at + " (sequence.postgres.host and .port): " + cause.getMessage();
    }
    return String.valueOf(e.getMessage());
  }

  /** Table and row, created under an advisory lock so that nodes starting together do not trip over each other. */
  private Future<Void> prepare(boolean createIfMissing) {
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")").execute()
        .compose(locked -> conn.query("SELECT to_regclass('" + TABLE + "') IS NOT NULL").execute())
        .compose(rows -> {
          if (rows.iterator().next().getBoolean(0)) {
            return Future.succeededFuture();
          }
          if (!createIfMissing) {
            return Future.failedFuture(SequenceStoreException.missing("table " + TABLE + " does not exist in database"
                + " \"" + config.database() + "\" and sequence.createIfMissing is false; if this really is a new"
                + " deployment, create the sequence once with hellonet init-sequence"));
          }
          return conn.query(CREATE).execute().onSuccess(x -> LOG.warning("created table " + TABLE + " in "
              + description));
        })
        .compose(created -> conn.preparedQuery(READ).execute(Tuple.of(config.name())))
        .compose(rows -> rows.size() == 1 ? Future.succeededFuture(rows.iterator().next().getLong(0))
            : createRow(conn, createIfMissing)))
        .map(mark -> {
          knownMark = mark;
          return null;
        });
  }

  private Future<Long> createRow(SqlConnection conn, boolean createIfMissing) {
    if (!createIfMissing) {
      return Future.failedFuture(SequenceStoreException.missing("there is no row \"" + config.name() + "\" in table "
          + TABLE + " and sequence.createIfMissing is false. Starting at 1 would hand out every number of an earlier"
          + " run again: check sequence.postgres.name and the database, or, if this really is a new deployment,"
          + " create the sequence once with hellonet init-sequence."));
    }
    return conn.preparedQuery("INSERT INTO " + TABLE + " (name, high_water) VALUES ($1, 1)")
        .execute(Tuple.of(config.name()))
        .map(inserted -> {
          LOG.warning("CREATED A NEW SEQUENCE \"" + config.name() + "\" in " + description + ": numbers start at 1."
              + " If an earlier run used another database or name, its numbers will repeat; set"
              + " sequence.createIfMissing=false to make a missing row stop the start instead.");
          return 1L;
        });
  }

  @Override
  public Future<Block> lease(long size) {
    if (size < 1) {
      return Future.failedFuture(new IllegalArgumentException("lease size must be >= 1, got " + size));
    }
    return pool.preparedQuery(LEASE).execute(Tuple.of(config.name(), size))
        .timeout(LEASE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          if (ar.failed()) {
            return Future.failedFuture(new SequenceStoreException("lease of " + size + " from " + description
                + " failed: " + explain(ar.cause(), config), ar.cause()));
          }
          RowSet<Row> rows = ar.result();
          if (rows.size() != 1) {
            return Future.failedFuture(new SequenceStoreException("row \"" + config.name() + "\" of " + description
                + " has gone; refusing to recreate it at 1"));
          }
          long highWater = rows.iterator().next().getLong(0);
          Block block = new Block(highWater - size, highWater);
          knownMark = highWater;
          synchronized (recentLeases) {
            recentLeases.put(block.end(), block.start());
          }
          return Future.succeededFuture(block);
        });
  }

  @Override
  public Future<Boolean> giveBack(Block unused) {
    if (unused.size() == 0) {
      return Future.succeededFuture(true);
    }
    synchronized (recentLeases) {
      Long leasedFrom = recentLeases.get(unused.end());
      if (leasedFrom == null || unused.start() < leasedFrom) {
        return Future.succeededFuture(false); // not the tail of a block leased here: could reissue someone's numbers
      }
    }
    return pool.preparedQuery(GIVE_BACK).execute(Tuple.of(config.name(), unused.end(), unused.start()))
        .timeout(LEASE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(rows -> {
          boolean taken = rows.rowCount() == 1;
          if (taken) {
            knownMark = unused.start();
            synchronized (recentLeases) {
              recentLeases.remove(unused.end());
            }
          }
          return taken;
        });
  }

  @Override
  public Future<Long> highWaterMark() {
    return pool.preparedQuery(READ).execute(Tuple.of(config.name()))
        .timeout(LEASE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .compose(rows -> rows.size() == 1 ? Future.succeededFuture(rows.iterator().next().getLong(0))
            : Future.failedFuture(new SequenceStoreException("row \"" + config.name() + "\" of " + description
                + " has gone")));
  }

  @Override
  public long knownHighWaterMark() {
    return knownMark;
  }

  /** The database's identity and the sequence's name: two nodes share a sequence only if all of it agrees. */
  @Override
  public Future<String> identity() {
    return pool.query(IDENTITY).execute()
        .timeout(LEASE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          if (ar.failed()) {
            String why = ar.cause() instanceof PgException pg && "42501".equals(pg.getSqlState())
                ? "user \"" + config.user() + "\" may not call pg_control_system(), which tells databases apart"
                    + " whatever host name reaches them; GRANT EXECUTE ON FUNCTION pg_control_system() TO \""
                    + config.user() + "\""
                : explain(ar.cause(), config);
            return Future.failedFuture(new SequenceStoreException("cannot read the identity of " + description
                + ": " + why, ar.cause()));
          }
          Row row = ar.result().iterator().next();
          return Future.succeededFuture("postgres system " + row.getString(0) + " database oid " + row.getLong(1)
              + " sequence " + config.name());
        });
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public StoreHealth health() {
    return health;
  }

  @Override
  public JsonObject status() {
    return SequenceStore.super.status().put("kind", "postgres").put("host", config.host()).put("port", config.port())
        .put("database", config.database()).put("name", config.name());
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }
}
