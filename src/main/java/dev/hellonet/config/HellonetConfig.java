package dev.hellonet.config;

import dev.hellonet.net.CidrSet;
import dev.hellonet.net.TargetRules;
import dev.hellonet.net.TransportChoice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The whole typed configuration, read once at start and passed down to whoever needs a part of it. */
public record HellonetConfig(
    TransportChoice transport,
    HelloConfig hello,
    ProtectionConfig protection,
    SequenceConfig sequence,
    CountersConfig counters,
    ShutdownConfig shutdown,
    CrawlerConfig crawler,
    HttpConfig http,
    ApiConfig api,
    BridgeConfig bridge,
    EventsConfig events,
    ScaleConfig scale,
    ClusterConfig cluster,
    LogConfig log) {

  /** The numbered Hello World TCP server. {@code instances} is already resolved: never 0. */
  public record HelloConfig(String host, int port, int instances, int maxRequestBytes, int acceptBacklog,
                            int deferAcceptSeconds, Acceptor acceptor) {}

  /**
   * Who accepts the hello server's connections: Vert.x's one acceptor thread, which hands each to an event loop
   * ({@code shared}), or each event loop from a listening socket of its own bound with SO_REUSEPORT
   * ({@code per-loop}, the nginx model; needs the epoll transport).
   */
  public enum Acceptor {
    SHARED("shared"), PER_LOOP("per-loop");

    private final String key;

    Acceptor(String key) {
      this.key = key;
    }

    /** The value as written in the configuration. */
    public String key() {
      return key;
    }
  }

  /**
   * Flood and abuse limits for the node as a whole (see docs/protection.md). {@code maxConnections} 0 means "derive
   * from the open-file limit"; a timeout of 0 switches that timeout off; addresses in {@code allowList} bypass the
   * per-address limits.
   */
  public record ProtectionConfig(int maxConnections, int maxConnectionsPerAddress, int newConnectionsPerSecond,
                                 int newConnectionsBurst, CidrSet allowList, long firstRequestTimeoutMs,
                                 long idleTimeoutMs, long slowReaderTimeoutMs, int addressSlots) {}

  /**
   * Where numbers come from and how many an instance leases at a time. {@code store} is {@code file} or
   * {@code postgres}; {@code createIfMissing} false makes a missing file (or table row) stop the start instead of
   * beginning again at 1.
   */
  public record SequenceConfig(String store, Path file, boolean createIfMissing, int minBlock, int maxBlock,
                               PostgresConfig postgres) {
    /** The file store with its defaults around it: for tests and tools that only need a file. */
    public SequenceConfig(String store, Path file, int minBlock, int maxBlock) {
      this(store, file, true, minBlock, maxBlock, PostgresConfig.DEFAULTS);
    }
  }

  /**
   * The PostgreSQL sequence store: where the database is, which row holds this deployment's sequence, and how to
   * log in. {@code password} comes from the environment or from {@code passwordFile}, never from a config file.
   */
  public record PostgresConfig(String host, int port, String database, String user, String name, int poolSize,
                               String sslMode, String sslRootCert, String passwordFile, String password) {
    static final PostgresConfig DEFAULTS = new PostgresConfig("localhost", 5432, "hellonet", "hellonet", "hellonet",
        2, "prefer", "", "", "");
    static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca",
        "verify-full");

    /** Never shows the password: configurations get logged. */
    @Override
    public String toString() {
      return "PostgresConfig[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
          + ", name=" + name + ", poolSize=" + poolSize + ", sslMode=" + sslMode + ", sslRootCert=" + sslRootCert
          + ", passwordFile=" + passwordFile
          + ", password=" + (password.isEmpty() ? "(none)" : "(set)") + "]";
    }
  }

  /** How often each node publishes its counters on the event bus. */
  public record CountersConfig(long publishIntervalMs) {}

  /**
   * How long a graceful shutdown may take before connections are cut, and how long the node keeps serving after
   * readiness has turned false (so that load balancers stop sending work first).
   */
  public record ShutdownConfig(long timeoutMs, long drainDelayMs) {}

  /** How log records are written to standard output: one line each, as text for people or JSON for a pipeline. */
  public record LogConfig(LogFormat format, LogLevel level) {}

  /** {@code text}: one readable line per event; {@code json}: one JSON object per line. */
  public enum LogFormat { TEXT, JSON }

  /** The least severe records written; each maps onto a java.util.logging level. */
  public enum LogLevel {
    ERROR(java.util.logging.Level.SEVERE),
    WARN(java.util.logging.Level.WARNING),
    INFO(java.util.logging.Level.INFO),
    DEBUG(java.util.logging.Level.FINE),
    TRACE(java.util.logging.Level.FINEST);

    private final java.util.logging.Level jul;

    LogLevel(java.util.logging.Level jul) {
      this.jul = jul;
    }

    public java.util.logging.Level julLevel() {
      return jul;
    }
  }

  /** Where the HTTP API listens; port 0 picks a free one. */
  public record HttpConfig(String host, int port) {}

  /**
   * Limits and authentication of the REST API. An empty {@code token} turns authentication off; otherwise POST and
   * DELETE need {@code Authorization: Bearer <token>}, and reading crawl jobs needs the token or {@code readToken}
   * (which reads and cannot change anything; empty: reads need the token).
   */
  public record ApiConfig(long maxBodyBytes, String token, String readToken) {
    /** Without a separate read token. */
    public ApiConfig(long maxBodyBytes, String token) {
      this(maxBodyBytes, token, "");
    }

    public boolean authEnabled() {
      return !token.isEmpty();
    }

    /** Never shows the tokens: configurations get logged. */
    @Override
    public String toString() {
      return "ApiConfig[maxBodyBytes=" + maxBodyBytes + ", token=" + (authEnabled() ? "(set)" : "(none)")
          + ", readToken=" + (readToken.isEmpty() ? "(none)" : "(set)") + "]";
    }
  }

  /**
   * The TCP event bus bridge (see docs/event-bus.md): off unless {@code enabled}; every limit bounds what one client
   * can make the node hold: frame size, requests in flight and queued outbound bytes per connection, how many bad
   * frames or token failures a connection may send before it is closed, connections per client address, and how long
   * a connection may stay without its first accepted frame or without any traffic (0 switches a timeout off).
   */
  public record BridgeConfig(boolean enabled, String host, int port, int maxConnections, int maxFrameBytes,
                             int maxInFlight, int maxQueuedBytes, int maxBadFrames, int maxAuthFailures,
                             boolean allowWithoutToken, int maxConnectionsPerAddress, long firstFrameTimeoutMs,
                             long idleTimeoutMs) {
    /**
     * With the embedded defaults for the per-address cap (16) and the timeouts (first frame 10 s, idle 5 min), for
     * tests and tools that set only the rest.
     */
    public BridgeConfig(boolean enabled, String host, int port, int maxConnections, int maxFrameBytes,
                        int maxInFlight, int maxQueuedBytes, int maxBadFrames, int maxAuthFailures,
                        boolean allowWithoutToken) {
      this(enabled, host, port, maxConnections, maxFrameBytes, maxInFlight, maxQueuedBytes, maxBadFrames,
          maxAuthFailures, allowWithoutToken, 16, 10_000, 300_000);
    }
  }

  /** What the node publishes on its event bus beside the counters: a crawl progress event every N finished pages. */
  public record EventsConfig(int crawlProgressEveryPages) {}

  /**
   * The crawler: limits every job shares, where downloads go, and which targets it may reach. {@code allow} and
   * {@code deny} hold host names ({@code example.org}, {@code *.example.org}) and CIDR ranges ({@code 10.0.0.0/8});
   * an empty allow list allows every target the deny list does not name. Both are parsed here, once.
   */
  public record CrawlerConfig(String userAgent, int maxConcurrency, long maxBodyBytes, int maxRedirects,
                              int historySize, Path downloadDir, long maxDownloadBytes,
                              TargetRules allow, TargetRules deny, CrawlerLimits limits, CrawlStoreConfig store) {
    /** With the lists as written; a malformed entry is refused naming its key ({@code crawler.allow[2]}). */
    public CrawlerConfig(String userAgent, int maxConcurrency, long maxBodyBytes, int maxRedirects, int historySize,
                         Path downloadDir, long maxDownloadBytes, List<String> allow, List<String> deny,
                         CrawlerLimits limits, CrawlStoreConfig store) {
      this(userAgent, maxConcurrency, maxBodyBytes, maxRedirects, historySize, downloadDir, maxDownloadBytes,
          TargetRules.parse(allow, "crawler.allow"), TargetRules.parse(deny, "crawler.deny"), limits, store);
    }

    /** Jobs kept in memory ({@link CrawlStoreConfig#MEMORY}). */
    public CrawlerConfig(String userAgent, int maxConcurrency, long maxBodyBytes, int maxRedirects, int historySize,
                         Path downloadDir, long maxDownloadBytes, List<String> allow, List<String> deny,
                         CrawlerLimits limits) {
      this(userAgent, maxConcurrency, maxBodyBytes, maxRedirects, historySize, downloadDir, maxDownloadBytes, allow,
          deny, limits, CrawlStoreConfig.MEMORY);
    }

    /** The same with the default {@link CrawlerLimits} (tests and tools that only set the basics). */
    public CrawlerConfig(String userAgent, int maxConcurrency, long maxBodyBytes, int maxRedirects, int historySize,
                         Path downloadDir, long maxDownloadBytes, List<String> allow, List<String> deny) {
      this(userAgent, maxConcurrency, maxBodyBytes, maxRedirects, historySize, downloadDir, maxDownloadBytes, allow,
          deny, CrawlerLimits.DEFAULTS);
    }
  }

  /**
   * Where crawl jobs live ({@code crawler.store}): {@code memory}, on their node alone, or {@code postgres}, in the
   * database of {@code postgres} (the connection settings {@code sequence.postgres.*}), where any node reads them and
   * another node takes a job over once its owner's lease ({@code leaseMs}, renewed every {@code leaseRenewMs}) is
   * released or runs out. A running job's changes are written every {@code flushMs}, on a pool of {@code poolSize}.
   */
  public record CrawlStoreConfig(String kind, long leaseMs, long leaseRenewMs, long flushMs, int poolSize,
                                 PostgresConfig postgres) {
    /** Jobs in memory, with the embedded defaults for the rest. */
    public static final CrawlStoreConfig MEMORY = new CrawlStoreConfig("memory", 12_000, 3_000, 100, 4,
        PostgresConfig.DEFAULTS);

    /** Whether jobs are kept in PostgreSQL. */
    public boolean inPostgres() {
      return kind.equals("postgres");
    }
  }

  /**
   * What the node asks of every job towards the sites it crawls: at least {@code minDelayMs} between two requests of
   * one job to one origin, a robots.txt {@code Crawl-delay} honoured up to {@code maxCrawlDelayMs}, and pauses of an
   * overloaded or failing origin (a {@code Retry-After} included) of at most {@code maxPauseMs}.
   */
  public record Politeness(long minDelayMs, long maxCrawlDelayMs, long maxPauseMs) {
    /** The values of the embedded conf/config.json. */
    public static final Politeness DEFAULTS = new Politeness(0, 30_000, 300_000);
  }

  /**
   * The crawler's ceilings beyond a job's own request (docs/crawler.md, "Limits"): threads that parse pages off the
   * event loops; per job, items (per page and in all), detail pages, downloads and download bytes; per node, page
   * bytes held in memory, download bytes on disk, running jobs, running jobs per client address, and the pages, items
   * and downloads kept in the job history.
   */
  public record CrawlerLimits(int parseThreads, int maxItemsPerPage, int maxItemsPerJob, int maxDetailPagesPerJob,
                              int maxDownloadsPerJob, long maxDownloadBytesPerJob, long maxPageBytesInFlight,
                              long maxDownloadBytesOnDisk, int maxRunningJobs, int maxRunningJobsPerClient,
                              long maxRecordsKept, Politeness politeness) {
    /** The values of the embedded conf/config.json, resolved for this JVM. */
    public static final CrawlerLimits DEFAULTS = new CrawlerLimits(2, 1_000, 100_000, 10_000, 1_000,
        1L << 30, pageBytesFor(0), 10L << 30, 16, 4, recordsFor(0));

    /** The same with the default {@link Politeness} (tests that set only the ceilings). */
    public CrawlerLimits(int parseThreads, int maxItemsPerPage, int maxItemsPerJob, int maxDetailPagesPerJob,
                         int maxDownloadsPerJob, long maxDownloadBytesPerJob, long maxPageBytesInFlight,
                         long maxDownloadBytesOnDisk, int maxRunningJobs, int maxRunningJobsPerClient,
                         long maxRecordsKept) {
      this(parseThreads, maxItemsPerPage, maxItemsPerJob, maxDetailPagesPerJob, maxDownloadsPerJob,
          maxDownloadBytesPerJob, maxPageBytesInFlight, maxDownloadBytesOnDisk, maxRunningJobs,
          maxRunningJobsPerClient, maxRecordsKept, Politeness.DEFAULTS);
    }

    /** {@code crawler.maxPageBytesInFlight} 0 means an eighth of the JVM's heap, so the default fits any -Xmx. */
    static long pageBytesFor(long configured) {
      return configured != 0 ? configured : Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    /** {@code crawler.maxRecordsKept} 0 means one record per 2 KiB of heap (a record takes a few hundred bytes). */
    static long recordsFor(long configured) {
      return configured != 0 ? configured : Math.max(10_000, Runtime.getRuntime().maxMemory() / 2048);
    }
  }

  /**
   * How far the node scales out on one host: {@code processes} worker JVMs under a supervisor (1 = no supervisor), and
   * instances of the HTTP API and crawler verticles per process. Instance counts are already resolved: never 0.
   */
  public record ScaleConfig(int processes, int httpInstances, int crawlerInstances) {}

  /**
   * The Vert.x cluster (Infinispan over JGroups). Discovery is either a TCP/IP {@code members} list
   * ({@code host:port}) or the DNS name of a Kubernetes headless Service; {@code port} is the member port (JGroups'
   * TCP, mutual TLS); {@code host} and {@code publicHost} are where the member port and the event bus bind and what
   * they advertise (empty: JGroups' choice of interface, and the bind host); {@code eventBusPort} 0 is any port.
   * {@code keyStoreFile} and {@code keyStorePasswordFile} name the cluster's secret, required with {@code enabled}; a
   * supervisor makes one for its workers when they are not set.
   */
  public record ClusterConfig(boolean enabled, List<String> members, String kubernetesService, int port, String host,
                              String publicHost, int eventBusPort, String keyStoreFile, String keyStorePasswordFile) {
    public ClusterConfig {
      members = List.copyOf(members);
    }

    /**
     * The secret, read and checked now (at the node's start, where the mounted files are), when its file is set.
     *
     * @throws ConfigException naming the key whose file is missing or wrong
     */
    public Optional<ClusterSecret> secret() {
      return keyStoreFile.isEmpty() && keyStorePasswordFile.isEmpty() ? Optional.empty()
          : Optional.of(ClusterSecret.load(keyStoreFile, keyStorePasswordFile));
    }
  }

  private static Acceptor acceptor(String value) {
    for (Acceptor a : Acceptor.values()) {
      if (a.key().equals(value)) {
        return a;
      }
    }
    throw new ConfigException("hello.acceptor: must be shared or per-loop; got \"" + value + "\"");
  }

  /** Builds the typed view of a merged JSON configuration, checking every value. */
  public static HellonetConfig from(JsonObject json, int availableProcessors) {
    Reader r = new Reader(json);
    String transport = r.string("transport");
    TransportChoice choice = switch (transport) {
      case "auto" -> TransportChoice.AUTO;
      case "epoll" -> TransportChoice.EPOLL;
      case "nio" -> TransportChoice.NIO;
      default -> throw new ConfigException("transport: must be one of auto, epoll, nio; got \"" + transport + "\"");
    };

    int instances = r.intIn("hello.instances", 0, 1024);
    HelloConfig hello = new HelloConfig(
        r.nonBlank("hello.host"),
        r.intIn("hello.port", 0, 65535),
        instances == 0 ? Math.max(1, availableProcessors) : instances,
        r.intIn("hello.maxRequestBytes", 1, 64 * 1024 * 1024),
        r.intIn("hello.acceptBacklog", 0, 1 << 20),
        r.intIn("hello.deferAcceptSeconds", 0, 3600),
        acceptor(r.string("hello.acceptor")));
    ProtectionConfig protection = protection(r);

    SequenceConfig sequence = sequence(r);

    CountersConfig counters = new CountersConfig(r.longIn("counters.publishIntervalMs", 10, 3_600_000));
    ShutdownConfig shutdown = new ShutdownConfig(r.longIn("shutdown.timeoutMs", 0, 600_000),
        r.longIn("shutdown.drainDelayMs", 0, 600_000));
    CrawlerConfig crawler = new CrawlerConfig(
        r.nonBlank("crawler.userAgent"),
        r.intIn("crawler.maxConcurrency", 1, 4096),
        r.longIn("crawler.maxBodyBytes", 1024, 1L << 31),
        r.intIn("crawler.maxRedirects", 0, 50),
        r.intIn("crawler.historySize", 1, 100_000),
        Path.of(r.nonBlank("crawler.downloadDir")),
        r.longIn("crawler.maxDownloadBytes", 1024, 1L << 40),
        r.targets("crawler.allow"),
        r.targets("crawler.deny"),
        crawlerLimits(r),
        crawlStore(r, sequence.postgres()));
    HttpConfig http = new HttpConfig(r.nonBlank("http.host"), r.intIn("http.port", 0, 65535));
    String token = token(r, "api.token", "authentication off");
    String readToken = token(r, "api.readToken", "reads need api.token");
    if (!readToken.isEmpty() && token.isEmpty()) {
      throw new ConfigException("api.readToken: is set but api.token is empty, so nothing needs a token; set api.token"
          + " (HELLONET_API_TOKEN) too, or leave api.readToken empty");
    }
    if (!readToken.isEmpty() && readToken.equals(token)) {
      throw new ConfigException("api.readToken: must differ from api.token; whoever holds the read token could"
          + " otherwise start and cancel crawls");
    }
    ApiConfig api = new ApiConfig(r.longIn("api.maxBodyBytes", 1024, 64L * 1024 * 1024), token, readToken);
    ScaleConfig scale = scale(r, hello, http, availableProcessors);
    ClusterConfig cluster = cluster(r, scale, sequence);
    BridgeConfig bridge = bridge(r);
    BridgeExposure.check(bridge, api);
    return new HellonetConfig(choice, hello, protection, sequence, counters, shutdown, crawler, http, api,
        bridge, new EventsConfig(r.intIn("events.crawlProgressEveryPages", 1, 1_000_000)), scale, cluster, log(r));
  }

  /** A bearer token: empty ({@code whenEmpty}) or at least 16 printable ASCII characters without spaces. */
  private static String token(Reader r, String key, String whenEmpty) {
    String token = r.string(key);
    if (!token.isEmpty() && (token.length() < 16 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      // The value itself stays out of the message: it may be a real secret with a typo.
      throw new ConfigException(key + ": must be empty (" + whenEmpty + ") or at least 16 printable ASCII"
          + " characters without spaces; got " + token.length() + " characters");
    }
    return token;
  }

  private static ScaleConfig scale(Reader r, HelloConfig hello, HttpConfig http, int availableProcessors) {
    int processes = r.intIn("hello.processes", 1, 256);
    int httpInstances = r.intIn("http.instances", 0, 1024);
    int crawlerInstances = r.intIn("crawler.instances", 0, 1024);
    if (processes > 1 && hello.port() == 0) {
      throw new ConfigException("hello.port: must be a fixed port (not 0) when hello.processes is " + processes
          + ": every worker process binds that same port");
    }
    if (processes > 1 && http.port() == 0) {
      throw new ConfigException("http.port: must be a fixed port (not 0) when hello.processes is " + processes
          + ": every worker process serves the API on that same port");
    }
    int cores = Math.max(1, availableProcessors);
    return new ScaleConfig(processes, httpInstances == 0 ? cores : httpInstances,
        crawlerInstances == 0 ? cores : crawlerInstances);
  }

  private static ClusterConfig cluster(Reader r, ScaleConfig scale, SequenceConfig sequence) {
    boolean enabled = r.bool("cluster.enabled");
    List<String> members = r.stringList("cluster.members");
    for (int i = 0; i < members.size(); i++) {
      String m = members.get(i);
      int colon = m.lastIndexOf(':');
      boolean ok = colon > 0 && colon < m.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(m.substring(colon + 1));
          ok = port >= 1 && port <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new ConfigException("cluster.members[" + i + "]: must be host:port with a port 1..65535; got \"" + m
            + "\"");
      }
    }
    String service = r.string("cluster.kubernetesService").trim();
    int port = r.intIn("cluster.port", 1, 65535);
    if (port + scale.processes() - 1 > 65535) {
      throw new ConfigException("cluster.port: worker processes use cluster.port + their index; " + port + " + "
          + (scale.processes() - 1) + " is beyond 65535");
    }
    String host = r.string("cluster.host").trim();
    String publicHost = r.string("cluster.publicHost").trim();
    int eventBusPort = r.intIn("cluster.eventBusPort", 0, 65535);
    if (enabled && members.isEmpty() == service.isEmpty()) {
      throw new ConfigException("cluster.enabled: set exactly one discovery, cluster.members (TCP/IP) or "
          + "cluster.kubernetesService (DNS); got " + (members.isEmpty() ? "neither" : "both"));
    }
    if (enabled && !service.isEmpty() && sequence.store().equals("file")) {
      // Pods do not share a file (and file locks are not to be trusted on network volumes): nodes would hand out the
      // same numbers. Refuse rather than let that happen silently.
      throw new ConfigException("cluster.kubernetesService: pods of a cluster cannot share sequence.store \"file\" "
          + "(each pod has its own " + sequence.file() + ", so numbers would repeat across nodes); use a store that "
          + "spans hosts");
    }
    String keyStoreFile = r.string(ClusterSecret.KEY_STORE_KEY).trim();
    String passwordFile = r.string(ClusterSecret.PASSWORD_KEY).trim();
    if (enabled && keyStoreFile.isEmpty()) {
      ClusterSecret.load(keyStoreFile, passwordFile); // fails naming the key, with how to make one
    }
    if (!keyStoreFile.isEmpty() && passwordFile.isEmpty()) {
      ClusterSecret.load(keyStoreFile, passwordFile);
    }
    return new ClusterConfig(enabled, members, service, port, host, publicHost, eventBusPort, keyStoreFile,
        passwordFile);

  }

  private static BridgeConfig bridge(Reader r) {
    return new BridgeConfig(
        r.bool("bridge.enabled"),
        r.nonBlank("bridge.host"),
        r.intIn("bridge.port", 0, 65535),
        r.intIn("bridge.maxConnections", 1, 1_000_000),
        r.intIn("bridge.maxFrameBytes", 256, 64 * 1024 * 1024),
        r.intIn("bridge.maxInFlight", 1, 65536),
        r.intIn("bridge.maxQueuedBytes", 4096, 1 << 30),
        r.intIn("bridge.maxBadFrames", 1, 1_000_000),
        r.intIn("bridge.maxAuthFailures", 1, 1000),
        r.bool("bridge.allowWithoutToken"),
        r.intIn("bridge.maxConnectionsPerAddress", 1, 1_000_000),
        r.longIn("bridge.firstFrameTimeoutMs", 0, 3_600_000),
        r.longIn("bridge.idleTimeoutMs", 0, 86_400_000));
  }

  private static CrawlStoreConfig crawlStore(Reader r, PostgresConfig postgres) {
    String kind = r.string("crawler.store");
    if (!kind.equals("memory") && !kind.equals("postgres")) {
      throw new ConfigException("crawler.store: must be \"memory\" or \"postgres\"; got \"" + kind + "\"");
    }
    long lease = r.longIn("crawler.leaseMs", 1_000, 600_000);
    long renew = r.longIn("crawler.leaseRenewMs", 100, 300_000);
    if (renew * 2 > lease) {
      // A renewal may be late by one interval (a slow database, a pause) without the lease running out.
      throw new ConfigException("crawler.leaseRenewMs: must be at most half of crawler.leaseMs (" + lease
          + "), so that one late renewal does not lose the lease; got " + renew);
    }
    return new CrawlStoreConfig(kind, lease, renew, r.longIn("crawler.storeFlushMs", 10, 10_000),
        r.intIn("crawler.storePoolSize", 1, 64), postgres);
  }

  private static CrawlerLimits crawlerLimits(Reader r) {
    return new CrawlerLimits(
        r.intIn("crawler.parseThreads", 1, 256),
        r.intIn("crawler.maxItemsPerPage", 1, 1_000_000),
        r.intIn("crawler.maxItemsPerJob", 1, 10_000_000),
        r.intIn("crawler.maxDetailPagesPerJob", 0, 1_000_000),
        r.intIn("crawler.maxDownloadsPerJob", 0, 1_000_000),
        r.longIn("crawler.maxDownloadBytesPerJob", 0, 1L << 44),
        CrawlerLimits.pageBytesFor(r.longIn("crawler.maxPageBytesInFlight", 0, 1L << 40)),
        r.longIn("crawler.maxDownloadBytesOnDisk", 0, 1L << 50),
        r.intIn("crawler.maxRunningJobs", 1, 100_000),
        r.intIn("crawler.maxRunningJobsPerClient", 1, 100_000),
        CrawlerLimits.recordsFor(r.longIn("crawler.maxRecordsKept", 0, 1L << 40)),
        new Politeness(r.longIn("crawler.minDelayMs", 0, 3_600_000),
            r.longIn("crawler.maxCrawlDelayMs", 0, 3_600_000),
            r.longIn("crawler.maxPauseMs", 0, 86_400_000)));
  }

  private static LogConfig log(Reader r) {
    LogFormat format = switch (r.string("log.format")) {
      case "text" -> LogFormat.TEXT;
      case "json" -> LogFormat.JSON;
      default -> throw new ConfigException("log.format: must be text or json; got \"" + r.string("log.format") + "\"");
    };
    String level = r.string("log.level");
    LogLevel parsed = switch (level) {
      case "error" -> LogLevel.ERROR;
      case "warn" -> LogLevel.WARN;
      case "info" -> LogLevel.INFO;
      case "debug" -> LogLevel.DEBUG;
      case "trace" -> LogLevel.TRACE;
      default -> throw new ConfigException("log.level: must be one of error, warn, info, debug, trace; got \""
          + level + "\"");
    };
    return new LogConfig(format, parsed);
  }

  private static SequenceConfig sequence(Reader r) {
    String store = r.string("sequence.store");
    if (!store.equals("file") && !store.equals("postgres")) {
      throw new ConfigException("sequence.store: must be \"file\" or \"postgres\"; got \"" + store + "\"");
    }
    int minBlock = r.intIn("sequence.minBlock", 1, 1 << 30);
    int maxBlock = r.intIn("sequence.maxBlock", 1, 1 << 30);
    if (maxBlock < minBlock) {
      throw new ConfigException("sequence.maxBlock (" + maxBlock + ") must be >= sequence.minBlock (" + minBlock + ")");
    }
    String sslMode = r.string("sequence.postgres.sslMode");
    if (!PostgresConfig.SSL_MODES.contains(sslMode)) {
      throw new ConfigException("sequence.postgres.sslMode: must be one of " + String.join(", ", PostgresConfig.SSL_MODES)
          + "; got \"" + sslMode + "\"");
    }
    String sslRootCert = r.string("sequence.postgres.sslRootCert");
    if (!sslRootCert.isEmpty()) {
      if (!sslMode.startsWith("verify-")) {
        throw new ConfigException("sequence.postgres.sslRootCert is set but sequence.postgres.sslMode is \"" + sslMode
            + "\", which does not check the server's certificate; use verify-full (or verify-ca)");
      }
      Path ca = Path.of(sslRootCert).toAbsolutePath();
      if (!java.nio.file.Files.isReadable(ca) || java.nio.file.Files.isDirectory(ca)) {
        throw new ConfigException("sequence.postgres.sslRootCert: cannot read the CA certificate file " + ca);
      }
    }
    String name = r.nonBlank("sequence.postgres.name");
    if (name.length() > 200) {
      throw new ConfigException("sequence.postgres.name: at most 200 characters; got " + name.length());
    }
    String passwordFile = r.string("sequence.postgres.passwordFile");
    String password = r.string("sequence.postgres.password");
    if (!passwordFile.isEmpty()) {
      if (!password.isEmpty()) {
        throw new ConfigException("sequence.postgres.password and sequence.postgres.passwordFile are both set; set one");
      }
      password = readPasswordFile(passwordFile);
    }
    PostgresConfig postgres = new PostgresConfig(
        r.nonBlank("sequence.postgres.host"),
        r.intIn("sequence.postgres.port", 1, 65535),
        r.nonBlank("sequence.postgres.database"),
        r.nonBlank("sequence.postgres.user"),
        name,
        r.intIn("sequence.postgres.poolSize", 1, 64),
        sslMode,
        sslRootCert,
        passwordFile,
        password);
    return new SequenceConfig(store, Path.of(r.nonBlank("sequence.file")), r.bool("sequence.createIfMissing"),
        minBlock, maxBlock, postgres);
  }

  /** A mounted secret: the whole file, without the trailing newline such files usually end with. */
  private static String readPasswordFile(String passwordFile) {
    Path path = Path.of(passwordFile).toAbsolutePath();
    try {
      String text = java.nio.file.Files.readString(path);
      return text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
          : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (java.io.IOException | RuntimeException e) {
      throw new ConfigException("sequence.postgres.passwordFile: cannot read " + path + ": " + e);
    }
  }

  private static ProtectionConfig protection(Reader r) {
    int addressSlots = r.intIn("protection.addressSlots", 1024, 1 << 24);
    if (Integer.bitCount(addressSlots) != 1) {
      throw new ConfigException("protection.addressSlots: must be a power of two; got " + addressSlots);
    }
    CidrSet allowList;
    try {
      allowList = CidrSet.parse(String.join(",", r.stringList("protection.allowList")));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("protection.allowList: " + e.getMessage());
    }
    return new ProtectionConfig(
        r.intIn("protection.maxConnections", 0, 10_000_000),
        r.intIn("protection.maxConnectionsPerAddress", 1, 10_000_000),
        r.intIn("protection.newConnectionsPerSecond", 1, 1_000_000),
        r.intIn("protection.newConnectionsBurst", 1, 1_000_000),
        allowList,
        r.longIn("protection.firstRequestTimeoutMs", 0, 3_600_000),
        r.longIn("protection.idleTimeoutMs", 0, 86_400_000),
        r.longIn("protection.slowReaderTimeoutMs", 0, 3_600_000),
        addressSlots);
  }

  /** Reads dotted keys out of nested JSON, with errors that name the key. */
  private record Reader(JsonObject json) {
    Object value(String key) {
      if (!DottedKeys.has(json, key)) {
        throw new ConfigException(key + ": missing");
      }
      return DottedKeys.get(json, key);
    }

    String string(String key) {
      if (value(key) instanceof String s) {
        return s;
      }
      throw new ConfigException(key + ": must be a string");
    }

    boolean bool(String key) {
      if (value(key) instanceof Boolean b) {
        return b;
      }
      throw new ConfigException(key + ": must be true or false; got " + value(key));
    }

    String nonBlank(String key) {
      String s = string(key);
      if (s.isBlank()) {
        throw new ConfigException(key + ": must not be empty");
      }
      return s;
    }

    long longIn(String key, long min, long max) {
      try {
        return WholeNumbers.check(value(key), min, max);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key + ": " + e.getMessage());
      }
    }

    List<String> stringList(String key) {
      if (!(value(key) instanceof JsonArray array)) {
        throw new ConfigException(key + ": must be an array of strings");
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String s) || s.isBlank()) {
          throw new ConfigException(key + "[" + i + "]: must be a non-empty string; got " + array.getValue(i));
        }
        out.add(s.trim());
      }
      return out;
    }

    /** Host names, *.domains and CIDR ranges; a malformed entry is an error naming it ({@code crawler.deny[1]}). */
    TargetRules targets(String key) {
      try {
        return TargetRules.parse(stringList(key), key);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }

    int intIn(String key, int min, int max) {
      return (int) longIn(key, min, max);
    }
  }
}
