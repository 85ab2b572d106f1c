package dev.hellonet.config;

import dev.hellonet.net.TransportChoice;
import dev.hellonet.testing.TestClusterKeys;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks how defaults, a configuration file and HELLONET_* variables merge, and that bad values fail naming the key. */
class ConfigLoaderTest {
  @TempDir
  Path dir;

  /** Writes {@code json} to a file in the temp dir and returns an environment whose HELLONET_CONFIG names it. */
  private Map<String, String> envWithFile(String json, String... variables) throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    Map<String, String> env = new HashMap<>();
    env.put(ConfigLoader.CONFIG_FILE_VARIABLE, file.toString());
    for (int i = 0; i < variables.length; i += 2) {
      env.put(variables[i], variables[i + 1]);
    }
    return env;
  }

  private static HellonetConfig typed(Map<String, String> env) {
    return HellonetConfig.from(ConfigLoader.merge(env), 3);
  }

  private static void assertMentions(ConfigException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "message should mention \"" + part + "\": " + e.getMessage());
    }
  }

  @Test
  void defaultsMatchTheShippedConfiguration() {
    HellonetConfig config = HellonetConfig.from(ConfigLoader.defaults(), 3);

    assertEquals(TransportChoice.AUTO, config.transport());
    assertEquals("0.0.0.0", config.hello().host());
    assertEquals(9000, config.hello().port());
    assertEquals(4096, config.hello().maxRequestBytes());
    assertEquals("file", config.sequence().store());
    assertEquals(Path.of("data", "sequence"), config.sequence().file());
    assertEquals(1024, config.sequence().minBlock());
    assertEquals(1048576, config.sequence().maxBlock());
    assertEquals(1000, config.counters().publishIntervalMs());
    assertEquals(10000, config.shutdown().timeoutMs());
    assertEquals(0, config.hello().acceptBacklog(), "0: sized from the kernel's limits");
    assertEquals(5, config.hello().deferAcceptSeconds());
    HellonetConfig.ProtectionConfig p = config.protection();
    assertEquals(0, p.maxConnections());
    assertEquals(256, p.maxConnectionsPerAddress());
    assertEquals(100, p.newConnectionsPerSecond());
    assertEquals(200, p.newConnectionsBurst());
    assertEquals("127.0.0.1/32,::1/128", p.allowList().toString());
    assertEquals(10000, p.firstRequestTimeoutMs());
    assertEquals(120000, p.idleTimeoutMs());
    assertEquals(30000, p.slowReaderTimeoutMs());
    assertEquals(65536, p.addressSlots());
  }

  @Test
  void emptyFileObjectAndForeignVariablesLeaveTheDefaults() throws IOException {
    Map<String, String> env = envWithFile("{}", "PATH", "/usr/bin", "HELLONETX", "ignored", "HOME", "/root");

    assertEquals(ConfigLoader.defaults(), ConfigLoader.merge(env));
  }

  @Test
  void zeroInstancesResolvesToTheCoreCount() {
    JsonObject json = ConfigLoader.defaults();
    assertEquals(0, json.getJsonObject("hello").getInteger("instances"));

    assertEquals(3, HellonetConfig.from(json, 3).hello().instances());
    assertEquals(7, HellonetConfig.from(json, 7).hello().instances());
  }

  @Test
  void zeroInstancesNeverResolvesBelowOne() {
    assertEquals(1, HellonetConfig.from(ConfigLoader.defaults(), 0).hello().instances());
  }

  @Test
  void explicitInstanceCountIsKept() {
    JsonObject json = ConfigLoader.defaults();
    json.getJsonObject("hello").put("instances", 5);

    assertEquals(5, HellonetConfig.from(json, 3).hello().instances());
  }

  @Test
  void fileOverridesOnlyTheKeysItNames() throws IOException {
    Map<String, String> env = envWithFile("""
        {"hello": {"port": 9200}, "sequence": {"minBlock": 2048}}
        """);

    HellonetConfig config = typed(env);

    assertEquals(9200, config.hello().port());
    assertEquals(2048, config.sequence().minBlock());
    assertEquals("0.0.0.0", config.hello().host());
    assertEquals(4096, config.hello().maxRequestBytes());
    assertEquals(3, config.hello().instances());
    assertEquals(Path.of("data", "sequence"), config.sequence().file());
    assertEquals(1048576, config.sequence().maxBlock());
    assertEquals(TransportChoice.AUTO, config.transport());
  }

  @Test
  void loadReadsTheFileNamedByHelloNetConfig() throws IOException {
    Map<String, String> env = envWithFile("""
        {"transport": "nio", "hello": {"instances": 4}, "sequence": {"file": "elsewhere/seq"}}
        """);

    HellonetConfig config = ConfigLoader.load(env);

    assertEquals(TransportChoice.NIO, config.transport());
    assertEquals(4, config.hello().instances());
    assertEquals(Path.of("elsewhere", "seq"), config.sequence().file());
    assertEquals(9000, config.hello().port());
  }

  @Test
  void environmentVariableOverridesDefaultsAndFile() throws IOException {
    Map<String, String> env = envWithFile("""
        {"hello": {"port": 9200, "host": "127.0.0.1"}}
        """, "HELLONET_HELLO_PORT", "9100");

    HellonetConfig config = typed(env);

    assertEquals(9100, config.hello().port());
    assertEquals("127.0.0.1", config.hello().host());
  }

  @Test
  void environmentVariableOverridesDefaultsWithoutAFileKey() throws IOException {
    Map<String, String> env = envWithFile("{}",
        "HELLONET_HELLO_PORT", " 9100 ", "HELLONET_SEQUENCE_FILE", "/var/lib/hellonet/seq", "HELLONET_TRANSPORT", "epoll");

    HellonetConfig config = typed(env);

    assertEquals(9100, config.hello().port());
    assertEquals(Path.of("/var/lib/hellonet/seq"), config.sequence().file());
    assertEquals(TransportChoice.EPOLL, config.transport());
  }

  @Test
  void camelCaseKeyIsOverriddenByItsUpperCasedVariable() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_HELLO_MAXREQUESTBYTES", "8192");

    assertEquals(8192, typed(env).hello().maxRequestBytes());
  }

  @Test
  void variableForUpperCasesTheKeyAndTurnsDotsIntoUnderscores() {
    assertEquals("HELLONET_HELLO_MAXREQUESTBYTES", ConfigLoader.variableFor("hello.maxRequestBytes"));
    assertEquals("HELLONET_HELLO_PORT", ConfigLoader.variableFor("hello.port"));
    assertEquals("HELLONET_TRANSPORT", ConfigLoader.variableFor("transport"));
  }

  @Test
  void nonNumericVariableFailsNamingTheVariable() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_HELLO_PORT", "ninety");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, "HELLONET_HELLO_PORT", "ninety");
  }

  @Test
  void fractionalVariableForAWholeNumberFailsNamingTheVariable() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_SHUTDOWN_TIMEOUTMS", "1.5");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, "HELLONET_SHUTDOWN_TIMEOUTMS");
  }

  @Test
  void unknownVariableFailsNamingIt() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_FOO", "1");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, "HELLONET_FOO", "known: HELLONET_API_MAXBODYBYTES, ");
  }

  @Test
  void theLaunchersJvmFlagVariablesAreNotTakenForConfiguration() throws IOException {
    // ./hellonet passes the environment on to the JVM it starts; its own variables must not stop the start.
    assertEquals(9100, typed(envWithFile("{}", "HELLONET_JVM_OPTS", "-Xmx512m", "HELLONET_LOADGEN_JVM_OPTS", "-Xms2g",
        "HELLONET_HELLO_PORT", "9100")).hello().port());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.merge(envWithFile("{}", "HELLONET_JVM_OPT", "-Xmx512m")));
    assertEquals("unknown environment variable HELLONET_JVM_OPT; did you mean HELLONET_JVM_OPTS?", e.getMessage());
  }

  @Test
  void mistypedVariableSuggestsTheCloseName() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_HELLO_POTR", "9100");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertEquals("unknown environment variable HELLONET_HELLO_POTR; did you mean HELLONET_HELLO_PORT?", e.getMessage());
  }

  @Test
  void variableForAnObjectRatherThanALeafIsUnknown() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_HELLO", "x");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, "HELLONET_HELLO");
  }

  @Test
  void unknownNestedKeyInFileFailsNamingKeyAndFile() throws IOException {
    Map<String, String> env = envWithFile("""
        {"hello": {"prot": 9100}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, "hello.prot", dir.resolve("config.json").toString(), "did you mean \"hello.port\"?");
  }

  @Test
  void unknownTopLevelKeyInFileFailsNamingIt() throws IOException {
    Map<String, String> env = envWithFile("""
        {"helo": {"port": 9100}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, "\"helo\"");
  }

  @Test
  void scalarInPlaceOfASectionFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("""
        {"hello": 9100}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, "\"hello\"", "object");
  }

  @Test
  void fileThatIsNotJsonFailsNamingTheFile() throws IOException {
    Map<String, String> env = envWithFile("port = 9100\n");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, dir.resolve("config.json").toString(), "not a JSON object", "line 1, column ");
    assertFalse(e.getMessage().contains("REDACTED"), e.getMessage());
    assertFalse(e.getMessage().contains("StreamReadFeature"), e.getMessage());
  }

  @Test
  void fileHoldingAJsonArrayFailsNamingTheFile() throws IOException {
    Map<String, String> env = envWithFile("[1, 2]");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, dir.resolve("config.json").toString());
  }

  @Test
  void missingFileNamedByHelloNetConfigFailsNamingTheFile() {
    Path missing = dir.resolve("no-such-dir").resolve("config.json");
    Map<String, String> env = Map.of(ConfigLoader.CONFIG_FILE_VARIABLE, missing.toString());

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.merge(env));
    assertMentions(e, missing.toString());
  }

  @Test
  void portAboveRangeFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("""
        {"hello": {"port": 70000}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "hello.port", "70000");
  }

  @Test
  void portAboveRangeFromEnvironmentFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_HELLO_PORT", "70000");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(env));
    assertMentions(e, "hello.port", "70000");
  }

  @Test
  void fractionalPortFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("""
        {"hello": {"port": 9000.5}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "hello.port");
  }

  @Test
  void maxBlockBelowMinBlockFailsNamingBothKeys() throws IOException {
    Map<String, String> env = envWithFile("""
        {"sequence": {"minBlock": 4096, "maxBlock": 1024}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "sequence.maxBlock", "sequence.minBlock");
  }

  @Test
  void maxBlockEqualToMinBlockIsAccepted() throws IOException {
    Map<String, String> env = envWithFile("""
        {"sequence": {"minBlock": 4096, "maxBlock": 4096}}
        """);

    HellonetConfig config = typed(env);
    assertEquals(4096, config.sequence().minBlock());
    assertEquals(4096, config.sequence().maxBlock());
  }

  @Test
  void unknownTransportFailsNamingTheKeyAndValue() throws IOException {
    Map<String, String> env = envWithFile("""
        {"transport": "bogus"}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "transport", "bogus");
  }

  @Test
  void unknownSequenceStoreFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_SEQUENCE_STORE", "redis");

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "sequence.store", "redis");
  }

  @Test
  void blankHostFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("""
        {"hello": {"host": "  "}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "hello.host");
  }

  @Test
  void stringWhereANumberBelongsFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("""
        {"counters": {"publishIntervalMs": "1000"}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "counters.publishIntervalMs");
  }

  @Test
  void environmentOverrideIsParsedByTheDefaultsKindEvenWhenTheFileHoldsAFloat() throws IOException {
    assertEquals(9100, typed(envWithFile("{\"hello\": {\"port\": 9000.0}}", "HELLONET_HELLO_PORT", "9100"))
        .hello().port());
  }

  @Test
  void objectInPlaceOfASingleValueFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("{\"hello\": {\"port\": {\"x\": 1}}}");
    assertMentions(assertThrows(ConfigException.class, () -> ConfigLoader.merge(env)), "hello.port");
  }

  @Test
  void emptyConfigFileVariableFailsSayingSo() {
    Map<String, String> env = Map.of(ConfigLoader.CONFIG_FILE_VARIABLE, "");
    assertMentions(assertThrows(ConfigException.class, () -> ConfigLoader.merge(env)), "HELLONET_CONFIG", "empty");
  }

  @Test
  void protectionLimitsComeFromTheFileAndTheEnvironment() throws IOException {
    Map<String, String> env = envWithFile("""
        {"hello": {"acceptBacklog": 1024, "deferAcceptSeconds": 0},
         "protection": {"maxConnections": 5000, "idleTimeoutMs": 0}}
        """, "HELLONET_PROTECTION_ALLOWLIST", "10.0.0.0/8, 2001:db8::/32",
        "HELLONET_PROTECTION_MAXCONNECTIONSPERADDRESS", "16");

    HellonetConfig config = typed(env);

    assertEquals(1024, config.hello().acceptBacklog());
    assertEquals(0, config.hello().deferAcceptSeconds());
    assertEquals(5000, config.protection().maxConnections());
    assertEquals(0, config.protection().idleTimeoutMs(), "0 switches the idle timeout off");
    assertEquals(16, config.protection().maxConnectionsPerAddress());
    assertEquals("10.0.0.0/8,2001:db8::/32", config.protection().allowList().toString());
  }

  @Test
  void badAllowListEntryFailsNamingTheKeyAndTheEntry() throws IOException {
    Map<String, String> env = envWithFile("{}", "HELLONET_PROTECTION_ALLOWLIST", "10.0.0.0/8,lb.example.com");

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "protection.allowList", "lb.example.com");
  }

  @Test
  void addressSlotsMustBeAPowerOfTwo() throws IOException {
    Map<String, String> env = envWithFile("""
        {"protection": {"addressSlots": 50000}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "protection.addressSlots", "power of two", "50000");
  }

  @Test
  void zeroPerAddressCapOrRateFailsNamingTheKey() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"protection\": {\"maxConnectionsPerAddress\": 0}}"))),
        "protection.maxConnectionsPerAddress");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"protection\": {\"newConnectionsPerSecond\": 0}}"))),
        "protection.newConnectionsPerSecond");
  }

  @Test
  void negativeTimeoutOrBacklogFailsNamingTheKey() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_PROTECTION_SLOWREADERTIMEOUTMS", "-1"))),
        "protection.slowReaderTimeoutMs", "-1");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_HELLO_ACCEPTBACKLOG", "-1"))),
        "hello.acceptBacklog");
  }

  @Test
  void allowListFromTheFileIsAJsonArray() throws IOException {
    Map<String, String> env = envWithFile("""
        {"protection": {"allowList": ["10.0.0.0/8", "192.0.2.7"]}}
        """);
    assertEquals("10.0.0.0/8,192.0.2.7/32", typed(env).protection().allowList().toString());
    assertTrue(typed(envWithFile("{}", "HELLONET_PROTECTION_ALLOWLIST", "")).protection().allowList().isEmpty());
  }

  @Test
  void crawlerDefaultsAllowEveryTarget() {
    HellonetConfig.CrawlerConfig crawler = HellonetConfig.from(ConfigLoader.defaults(), 3).crawler();
    assertEquals("hellonet-crawler/0.1", crawler.userAgent());
    assertEquals(256, crawler.maxConcurrency());
    assertEquals(10485760, crawler.maxBodyBytes());
    assertEquals(5, crawler.maxRedirects());
    assertEquals(100, crawler.historySize());
    assertEquals(Path.of("data", "downloads"), crawler.downloadDir());
    assertEquals(52428800, crawler.maxDownloadBytes());
    assertEquals(java.util.List.of(), crawler.allow().entries());
    assertEquals(java.util.List.of(), crawler.deny().entries());
    assertEquals(HellonetConfig.CrawlerLimits.DEFAULTS, crawler.limits(), "conf/config.json and DEFAULTS agree");
  }

  @Test
  void listsComeFromTheFileWholeAndFromTheEnvironmentCommaSeparated() throws IOException {
    Map<String, String> env = envWithFile("""
        {"crawler": {"allow": ["example.org", "*.example.net"], "deny": ["10.0.0.0/8"]}}
        """, "HELLONET_CRAWLER_DENY", " 127.0.0.0/8, ::1/128 ,,169.254.0.0/16 ");

    HellonetConfig.CrawlerConfig crawler = typed(env).crawler();

    assertEquals(java.util.List.of("example.org", "*.example.net"), crawler.allow().entries());
    assertEquals(java.util.List.of("127.0.0.0/8", "::1/128", "169.254.0.0/16"), crawler.deny().entries());
  }

  @Test
  void emptyListVariableEmptiesTheList() throws IOException {
    Map<String, String> env = envWithFile("{\"crawler\": {\"deny\": [\"10.0.0.0/8\"]}}", "HELLONET_CRAWLER_DENY", "");
    assertEquals(java.util.List.of(), typed(env).crawler().deny().entries());
  }

  @Test
  void scalarWhereAListBelongsFailsNamingTheKey() throws IOException {
    Map<String, String> env = envWithFile("{\"crawler\": {\"deny\": \"10.0.0.0/8\"}}");
    assertMentions(assertThrows(ConfigException.class, () -> ConfigLoader.merge(env)), "crawler.deny", "array");
  }

  @Test
  void badListEntriesFailNamingTheKeyAndIndex() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"crawler\": {\"deny\": [\"10.0.0.0/99\"]}}"))), "crawler.deny[0]");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"crawler\": {\"allow\": [\"ok.org\", 5]}}"))), "crawler.allow[1]");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CRAWLER_ALLOW", "a.org,not a host"))), "crawler.allow[1]");
  }

  @Test
  void crawlerLimitsAreRangeChecked() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CRAWLER_MAXCONCURRENCY", "0"))), "crawler.maxConcurrency");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CRAWLER_HISTORYSIZE", "0"))), "crawler.historySize");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CRAWLER_USERAGENT", " "))), "crawler.userAgent");
    assertEquals(2, typed(envWithFile("{}", "HELLONET_CRAWLER_MAXREDIRECTS", "2")).crawler().maxRedirects());
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CRAWLER_PARSETHREADS", "0"))), "crawler.parseThreads");
    assertEquals(5, typed(envWithFile("{}", "HELLONET_CRAWLER_PARSETHREADS", "5")).crawler().limits().parseThreads());
    for (String[] bad : new String[][] {{"MAXITEMSPERPAGE", "0", "crawler.maxItemsPerPage"},
        {"MAXITEMSPERJOB", "0", "crawler.maxItemsPerJob"}, {"MAXDETAILPAGESPERJOB", "-1", "crawler.maxDetailPagesPerJob"},
        {"MAXDOWNLOADSPERJOB", "-1", "crawler.maxDownloadsPerJob"},
        {"MAXDOWNLOADBYTESPERJOB", "-1", "crawler.maxDownloadBytesPerJob"},
        {"MAXPAGEBYTESINFLIGHT", "-1", "crawler.maxPageBytesInFlight"},
        {"MAXDOWNLOADBYTESONDISK", "-1", "crawler.maxDownloadBytesOnDisk"},
        {"MAXRUNNINGJOBS", "0", "crawler.maxRunningJobs"}, {"MAXRECORDSKEPT", "-1", "crawler.maxRecordsKept"}, {"MAXRUNNINGJOBSPERCLIENT", "0", "crawler.maxRunningJobsPerClient"}}) {
      assertMentions(assertThrows(ConfigException.class,
          () -> typed(envWithFile("{}", "HELLONET_CRAWLER_" + bad[0], bad[1]))), bad[2]);
    }
    assertEquals(7, typed(envWithFile("{}", "HELLONET_CRAWLER_MAXRUNNINGJOBS", "7")).crawler().limits().maxRunningJobs());
    assertEquals(Runtime.getRuntime().maxMemory() / 8,
        typed(envWithFile("{}")).crawler().limits().maxPageBytesInFlight(), "0 is an eighth of the heap");
    assertEquals(5L << 20, typed(envWithFile("{}", "HELLONET_CRAWLER_MAXPAGEBYTESINFLIGHT", String.valueOf(5L << 20)))
        .crawler().limits().maxPageBytesInFlight());
  }

  @Test
  void httpAndApiDefaults() {
    HellonetConfig config = HellonetConfig.from(ConfigLoader.defaults(), 3);
    assertEquals("0.0.0.0", config.http().host());
    assertEquals(8080, config.http().port());
    assertEquals(1048576, config.api().maxBodyBytes());
    assertEquals("", config.api().token());
    assertFalse(config.api().authEnabled());
    assertEquals(0, config.shutdown().drainDelayMs());
  }

  @Test
  void apiTokenComesFromTheEnvironmentAndIsNeverPrinted() throws IOException {
    String secret = "s3cret-token-0123456789";
    HellonetConfig config = typed(envWithFile("{}", "HELLONET_API_TOKEN", secret));
    assertEquals(secret, config.api().token());
    assertTrue(config.api().authEnabled());
    assertFalse(config.toString().contains(secret), config.toString());
  }

  @Test
  void shortOrSpacedApiTokenFailsWithoutEchoingIt() throws IOException {
    for (String bad : new String[] {"short", "has a space in it 0123456789"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> typed(envWithFile("{}", "HELLONET_API_TOKEN", bad)));
      assertMentions(e, "api.token");
      assertFalse(e.getMessage().contains(bad), e.getMessage());
    }
  }

  @Test
  void apiReadTokenNeedsTheApiTokenDiffersFromItAndIsNeverPrinted() throws IOException {
    String token = "s3cret-token-0123456789";
    String reader = "r3ader-token-0123456789";
    HellonetConfig config = typed(envWithFile("{}", "HELLONET_API_TOKEN", token, "HELLONET_API_READTOKEN", reader));
    assertEquals(reader, config.api().readToken());
    assertFalse(config.toString().contains(reader), config.toString());
    assertEquals("", typed(envWithFile("{}")).api().readToken());
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_API_READTOKEN", reader))), "api.readToken", "api.token");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_API_TOKEN", token, "HELLONET_API_READTOKEN", token))),
        "api.readToken", "differ");
    ConfigException e = assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_API_TOKEN", token, "HELLONET_API_READTOKEN", "short")));
    assertMentions(e, "api.readToken");
    assertFalse(e.getMessage().contains("short"), e.getMessage());
  }

  @Test
  void httpAndApiValuesAreRangeChecked() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_HTTP_PORT", "65536"))), "http.port");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_HTTP_HOST", " "))), "http.host");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_API_MAXBODYBYTES", "10"))), "api.maxBodyBytes");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_SHUTDOWN_DRAINDELAYMS", "-1"))), "shutdown.drainDelayMs");
    assertEquals(0, typed(envWithFile("{}", "HELLONET_HTTP_PORT", "0")).http().port());
  }

  // --- sequence.* (the stores: file and postgres) ---

  @Test
  void sequenceStoreDefaultsAreTheFileStoreThatCreatesItsFileAndALocalPostgres() {
    HellonetConfig.SequenceConfig seq = HellonetConfig.from(ConfigLoader.defaults(), 3).sequence();

    assertTrue(seq.createIfMissing());
    HellonetConfig.PostgresConfig pg = seq.postgres();
    assertEquals("localhost", pg.host());
    assertEquals(5432, pg.port());
    assertEquals("hellonet", pg.database());
    assertEquals("hellonet", pg.user());
    assertEquals("hellonet", pg.name());
    assertEquals(2, pg.poolSize());
    assertEquals("prefer", pg.sslMode());
    assertEquals("", pg.passwordFile());
    assertEquals("", pg.password());
  }

  @Test
  void postgresStoreIsChosenAndConfiguredFromFileAndEnvironment() throws IOException {
    HellonetConfig config = typed(envWithFile("""
        {"sequence": {"store": "postgres", "createIfMissing": false,
                      "postgres": {"host": "db.internal", "port": 6543, "database": "seq", "user": "app",
                                   "name": "prod-eu", "poolSize": 4, "sslMode": "verify-full"}}}
        """, "HELLONET_SEQUENCE_POSTGRES_PASSWORD", "s3cret", "HELLONET_SEQUENCE_POSTGRES_PORT", "7000"));

    HellonetConfig.SequenceConfig seq = config.sequence();
    assertEquals("postgres", seq.store());
    assertFalse(seq.createIfMissing());
    assertEquals(new HellonetConfig.PostgresConfig("db.internal", 7000, "seq", "app", "prod-eu", 4, "verify-full", "",
        "", "s3cret"), seq.postgres());
  }

  @Test
  void createIfMissingFromTheEnvironmentMustBeTrueOrFalse() throws IOException {
    assertFalse(typed(envWithFile("{}", "HELLONET_SEQUENCE_CREATEIFMISSING", "false")).sequence().createIfMissing());
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_SEQUENCE_CREATEIFMISSING", "no"))), "HELLONET_SEQUENCE_CREATEIFMISSING");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"sequence\": {\"createIfMissing\": 1}}"))), "sequence.createIfMissing");
  }

  @Test
  void postgresPasswordInAConfigFileIsRefusedSayingWhereItBelongs() throws IOException {
    Map<String, String> env = envWithFile("{\"sequence\": {\"postgres\": {\"password\": \"hunter2hunter2\"}}}");

    ConfigException e = assertThrows(ConfigException.class, () -> typed(env));
    assertMentions(e, "sequence.postgres.password", "HELLONET_SEQUENCE_POSTGRES_PASSWORD", "passwordFile");
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void theShippedConfigFileWithItsEmptyPasswordIsAcceptedAsAnOverlay() throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put(ConfigLoader.CONFIG_FILE_VARIABLE, Path.of("conf", "config.json").toString());
    env.put("HELLONET_SEQUENCE_POSTGRES_PASSWORD", "from-env");

    assertEquals("from-env", typed(env).sequence().postgres().password());
  }

  @Test
  void postgresPasswordNeverAppearsInToString() throws IOException {
    HellonetConfig config = typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_PASSWORD", "hunter2hunter2"));

    assertEquals("hunter2hunter2", config.sequence().postgres().password());
    assertFalse(config.toString().contains("hunter2"), config.toString());
    assertTrue(config.sequence().postgres().toString().contains("password=(set)"));
  }

  @Test
  void postgresPasswordFileIsReadWithoutItsTrailingNewline() throws IOException {
    Path secret = dir.resolve("pg-password");
    Files.writeString(secret, "from-a-secret\n");

    HellonetConfig config = typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_PASSWORDFILE", secret.toString()));
    assertEquals("from-a-secret", config.sequence().postgres().password());
    assertEquals(secret.toString(), config.sequence().postgres().passwordFile());
  }

  @Test
  void postgresPasswordFileThatCannotBeReadFailsNamingItsAbsolutePath() throws IOException {
    Path missing = dir.resolve("no-such-secret");

    ConfigException e = assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_PASSWORDFILE", missing.toString())));
    assertMentions(e, "sequence.postgres.passwordFile", missing.toAbsolutePath().toString());
  }

  @Test
  void postgresSslRootCertNeedsAVerifyingModeAndAReadableFile() throws IOException {
    Path ca = dir.resolve("ca.crt");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n");

    assertEquals(ca.toString(), typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_SSLMODE", "verify-full",
        "HELLONET_SEQUENCE_POSTGRES_SSLROOTCERT", ca.toString())).sequence().postgres().sslRootCert());
    assertMentions(assertThrows(ConfigException.class, () -> typed(envWithFile("{}",
        "HELLONET_SEQUENCE_POSTGRES_SSLROOTCERT", ca.toString()))),
        "sequence.postgres.sslRootCert", "sequence.postgres.sslMode", "prefer", "verify-full");
    Path missing = dir.resolve("no-such-ca.crt");
    assertMentions(assertThrows(ConfigException.class, () -> typed(envWithFile("{}",
        "HELLONET_SEQUENCE_POSTGRES_SSLMODE", "verify-ca", "HELLONET_SEQUENCE_POSTGRES_SSLROOTCERT",
        missing.toString()))), "sequence.postgres.sslRootCert", missing.toAbsolutePath().toString());
  }

  @Test
  void postgresPasswordAndPasswordFileTogetherAreRefused() throws IOException {
    Path secret = dir.resolve("pg-password");
    Files.writeString(secret, "x");

    ConfigException e = assertThrows(ConfigException.class, () -> typed(envWithFile("{}",
        "HELLONET_SEQUENCE_POSTGRES_PASSWORDFILE", secret.toString(), "HELLONET_SEQUENCE_POSTGRES_PASSWORD", "y")));
    assertMentions(e, "sequence.postgres.password", "sequence.postgres.passwordFile");
  }

  @Test
  void badPostgresSettingsFailNamingTheKey() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_SSLMODE", "sometimes"))),
        "sequence.postgres.sslMode", "sometimes", "verify-full");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_PORT", "0"))), "sequence.postgres.port");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_POOLSIZE", "0"))), "sequence.postgres.poolSize");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_HOST", " "))), "sequence.postgres.host");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_SEQUENCE_POSTGRES_NAME", ""))), "sequence.postgres.name");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"sequence\": {\"postgres\": {\"colour\": \"red\"}}}"))),
        "sequence.postgres.colour");
  }

  @Test
  void logDefaultsToTextAtInfoAndTakesJsonAndLevelsFromFileOrEnvironment() throws IOException {
    HellonetConfig.LogConfig defaults = HellonetConfig.from(ConfigLoader.defaults(), 3).log();
    assertEquals(HellonetConfig.LogFormat.TEXT, defaults.format());
    assertEquals(HellonetConfig.LogLevel.INFO, defaults.level());

    HellonetConfig.LogConfig fromFile = typed(envWithFile("""
        {"log": {"format": "json", "level": "debug"}}
        """)).log();
    assertEquals(HellonetConfig.LogFormat.JSON, fromFile.format());
    assertEquals(HellonetConfig.LogLevel.DEBUG, fromFile.level());

    HellonetConfig.LogConfig fromEnv = typed(envWithFile("{}", "HELLONET_LOG_FORMAT", "json",
        "HELLONET_LOG_LEVEL", "warn")).log();
    assertEquals(HellonetConfig.LogFormat.JSON, fromEnv.format());
    assertEquals(HellonetConfig.LogLevel.WARN, fromEnv.level());
  }

  @Test
  void helloAcceptorIsSharedByDefaultAndPerLoopOnRequest() throws IOException {
    assertEquals(HellonetConfig.Acceptor.SHARED, HellonetConfig.from(ConfigLoader.defaults(), 3).hello().acceptor());
    assertEquals(HellonetConfig.Acceptor.PER_LOOP,
        typed(envWithFile("{}", "HELLONET_HELLO_ACCEPTOR", "per-loop")).hello().acceptor());
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_HELLO_ACCEPTOR", "perloop"))), "hello.acceptor", "perloop");
  }

  @Test
  void unknownLogFormatOrLevelFailsNamingTheKey() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_LOG_FORMAT", "xml"))), "log.format", "xml");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_LOG_LEVEL", "verbose"))), "log.level", "verbose");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"log\": {\"colour\": true}}"))), "log.colour");
  }

  @Test
  void scaleDefaultsToOneProcessAndInstancesPerCore() {
    HellonetConfig config = HellonetConfig.from(ConfigLoader.defaults(), 3);

    assertEquals(new HellonetConfig.ScaleConfig(1, 3, 3), config.scale());
    HellonetConfig.ClusterConfig cluster = config.cluster();
    assertFalse(cluster.enabled());
    assertTrue(cluster.members().isEmpty());
    assertEquals("", cluster.kubernetesService());
    assertEquals(5701, cluster.port());
    assertEquals("", cluster.host());
    assertEquals("", cluster.publicHost());
    assertEquals(0, cluster.eventBusPort());
  }

  @Test
  void scaleKeysAreReadFromTheEnvironment() throws IOException {
    HellonetConfig config = typed(envWithFile("{}", "HELLONET_HELLO_PROCESSES", "4", "HELLONET_HTTP_INSTANCES", "2",
        "HELLONET_CRAWLER_INSTANCES", "5"));

    assertEquals(new HellonetConfig.ScaleConfig(4, 2, 5), config.scale());
  }

  @Test
  void scaleValuesOutOfRangeFailNamingTheKey() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_HELLO_PROCESSES", "0"))), "hello.processes");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_HTTP_INSTANCES", "-1"))), "http.instances");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CRAWLER_INSTANCES", "5000"))), "crawler.instances");
  }

  @Test
  void severalProcessesNeedFixedPorts() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_HELLO_PROCESSES", "2", "HELLONET_HELLO_PORT", "0"))), "hello.port");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_HELLO_PROCESSES", "2", "HELLONET_HTTP_PORT", "0"))), "http.port");
    assertEquals(2, typed(envWithFile("{}", "HELLONET_HELLO_PROCESSES", "2")).scale().processes());
  }

  @Test
  void clusterWithAMemberListIsReadFromTheEnvironment() throws IOException {
    ClusterKeys.KeyFiles keys = TestClusterKeys.shared();
    HellonetConfig.ClusterConfig cluster = typed(envWithFile("{}", "HELLONET_CLUSTER_ENABLED", "true",
        "HELLONET_CLUSTER_MEMBERS", "127.0.0.1:5701, 127.0.0.1:5702", "HELLONET_CLUSTER_HOST", "127.0.0.1",
        "HELLONET_CLUSTER_PORT", "5702", "HELLONET_CLUSTER_EVENTBUSPORT", "17001",
        "HELLONET_CLUSTER_KEYSTOREFILE", keys.keyStore().toString(),
        "HELLONET_CLUSTER_KEYSTOREPASSWORDFILE", keys.password().toString())).cluster();

    assertTrue(cluster.enabled());
    assertEquals(java.util.List.of("127.0.0.1:5701", "127.0.0.1:5702"), cluster.members());
    assertEquals("127.0.0.1", cluster.host());
    assertEquals(5702, cluster.port());
    assertEquals(17001, cluster.eventBusPort());
    assertEquals(TestClusterKeys.sharedSecret().fingerprint(), cluster.secret().orElseThrow().fingerprint());
  }

  @Test
  void aClusterWithoutItsSecretOrWithAWrongOneIsAConfigurationErrorNamingTheKey() throws IOException {
    assertMentions(assertThrows(ConfigException.class, () -> typed(envWithFile("{}", "HELLONET_CLUSTER_ENABLED",
        "true", "HELLONET_CLUSTER_MEMBERS", "127.0.0.1:5701"))), "cluster.keyStoreFile", "cluster-keys");
    ClusterKeys.KeyFiles keys = TestClusterKeys.shared();
    assertMentions(assertThrows(ConfigException.class, () -> typed(envWithFile("{}", "HELLONET_CLUSTER_ENABLED",
        "true", "HELLONET_CLUSTER_MEMBERS", "127.0.0.1:5701",
        "HELLONET_CLUSTER_KEYSTOREFILE", keys.keyStore().toString()))), "cluster.keyStorePasswordFile");
    Path wrong = Files.writeString(Files.createTempFile("hellonet-wrong-", ".password"), "not-the-password\n");
    try {
      assertMentions(assertThrows(ConfigException.class, () -> typed(envWithFile("{}",
          "HELLONET_CLUSTER_KEYSTOREFILE", keys.keyStore().toString(),
          "HELLONET_CLUSTER_KEYSTOREPASSWORDFILE", wrong.toString())).cluster().secret()), "cluster.keyStoreFile",
          "password");
      assertMentions(assertThrows(ConfigException.class, () -> typed(envWithFile("{}",
          "HELLONET_CLUSTER_KEYSTOREFILE", wrong.toString() + ".missing",
          "HELLONET_CLUSTER_KEYSTOREPASSWORDFILE", keys.password().toString())).cluster().secret()),
          "cluster.keyStoreFile", "cannot read");
    } finally {
      Files.delete(wrong);
    }
  }

  @Test
  void clusterNeedsExactlyOneDiscovery() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CLUSTER_ENABLED", "true"))), "cluster.enabled", "neither");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"cluster\": {\"enabled\": true, \"members\": [\"a:5701\"], "
            + "\"kubernetesService\": \"hellonet-hz.default.svc.cluster.local\"}}"))), "cluster.enabled", "both");
  }

  @Test
  void badClusterValuesFailNamingTheKey() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CLUSTER_MEMBERS", "127.0.0.1"))), "cluster.members[0]");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CLUSTER_MEMBERS", "a:1,b:70000"))), "cluster.members[1]");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CLUSTER_ENABLED", "yes"))), "HELLONET_CLUSTER_ENABLED");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"cluster\": {\"enabled\": 1}}"))), "cluster.enabled");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CLUSTER_PORT", "0"))), "cluster.port");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CLUSTER_PORT", "65535", "HELLONET_HELLO_PROCESSES", "2"))),
        "cluster.port");
  }

  @Test
  void podsOnTheFileStoreAreAConfigurationError() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_CLUSTER_ENABLED", "true",
            "HELLONET_CLUSTER_KUBERNETESSERVICE", "hellonet-hz.default.svc.cluster.local"))),
        "cluster.kubernetesService", "file");
  }

  @Test
  void bridgeAndEventsDefaults() {
    HellonetConfig config = HellonetConfig.from(ConfigLoader.defaults(), 3);
    HellonetConfig.BridgeConfig bridge = config.bridge();
    assertFalse(bridge.enabled());
    assertEquals("127.0.0.1", bridge.host());
    assertEquals(7000, bridge.port());
    assertEquals(256, bridge.maxConnections());
    assertEquals(65536, bridge.maxFrameBytes());
    assertEquals(64, bridge.maxInFlight());
    assertEquals(1048576, bridge.maxQueuedBytes());
    assertEquals(10, bridge.maxBadFrames());
    assertEquals(3, bridge.maxAuthFailures());
    assertFalse(bridge.allowWithoutToken());
    assertEquals(10, config.events().crawlProgressEveryPages());
  }

  @Test
  void bridgeIsSwitchedOnFromTheEnvironmentAndABadSwitchFailsNamingTheVariable() throws IOException {
    assertTrue(typed(envWithFile("{}", "HELLONET_BRIDGE_ENABLED", "true")).bridge().enabled());
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_ENABLED", "yes"))), "HELLONET_BRIDGE_ENABLED", "true or false");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"bridge\": {\"enabled\": 1}}"))), "bridge.enabled", "true or false");
  }

  @Test
  void bridgeLimitsAreRangeChecked() throws IOException {
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_PORT", "70000"))), "bridge.port");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_HOST", " "))), "bridge.host");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_MAXFRAMEBYTES", "10"))), "bridge.maxFrameBytes");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_MAXINFLIGHT", "0"))), "bridge.maxInFlight");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_MAXQUEUEDBYTES", "100"))), "bridge.maxQueuedBytes");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_MAXBADFRAMES", "0"))), "bridge.maxBadFrames");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_MAXAUTHFAILURES", "0"))), "bridge.maxAuthFailures");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_BRIDGE_MAXCONNECTIONS", "0"))), "bridge.maxConnections");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{}", "HELLONET_EVENTS_CRAWLPROGRESSEVERYPAGES", "0"))),
        "events.crawlProgressEveryPages");
    assertMentions(assertThrows(ConfigException.class,
        () -> typed(envWithFile("{\"bridge\": {\"maxFrames\": 5}}"))), "bridge.maxFrames");
    assertEquals(0, typed(envWithFile("{}", "HELLONET_BRIDGE_PORT", "0")).bridge().port());
  }

  @Test
  void aBridgeOnANonLoopbackHostWithoutATokenIsRefusedNamingTheKeys() throws IOException {
    for (String host : new String[] {"0.0.0.0", "::", "10.1.2.3", "192.0.2.1", "2001:db8::1", "bridge.example"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> typed(envWithFile("{}",
          "HELLONET_BRIDGE_ENABLED", "true", "HELLONET_BRIDGE_HOST", host)), host);
      assertMentions(e, "bridge.host", "\"" + host + "\"", "api.token", "bridge.allowWithoutToken");
    }
  }

  @Test
  void aBridgeIsAcceptedOnLoopbackOrWithATokenOrWhenOpenIsMeantOrWhenOff() throws IOException {
    for (String host : new String[] {"127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1", "localhost", "LocalHost"}) {
      assertEquals(host, typed(envWithFile("{}", "HELLONET_BRIDGE_ENABLED", "true", "HELLONET_BRIDGE_HOST", host))
          .bridge().host(), "loopback without a token");
    }
    assertTrue(typed(envWithFile("{}", "HELLONET_BRIDGE_ENABLED", "true", "HELLONET_BRIDGE_HOST", "0.0.0.0",
        "HELLONET_API_TOKEN", "a-token-of-16-chars-or-more")).api().authEnabled(), "any host with the token");
    assertTrue(typed(envWithFile("{\"bridge\": {\"allowWithoutToken\": true}}", "HELLONET_BRIDGE_ENABLED", "true",
        "HELLONET_BRIDGE_HOST", "0.0.0.0")).bridge().allowWithoutToken(), "open on purpose, from the file");
    assertTrue(typed(envWithFile("{}", "HELLONET_BRIDGE_ENABLED", "true", "HELLONET_BRIDGE_HOST", "0.0.0.0",
        "HELLONET_BRIDGE_ALLOWWITHOUTTOKEN", "true")).bridge().allowWithoutToken(), "open on purpose, from the env");
    assertFalse(typed(envWithFile("{}", "HELLONET_BRIDGE_HOST", "0.0.0.0")).bridge().enabled(), "off: nothing opens");
    assertMentions(assertThrows(ConfigException.class, () -> typed(envWithFile("{}",
        "HELLONET_BRIDGE_ALLOWWITHOUTTOKEN", "yes"))), "HELLONET_BRIDGE_ALLOWWITHOUTTOKEN", "true or false");
  }
}
