package dev.hellonet.config;

import dev.hellonet.config.HellonetConfig.CrawlStoreConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code crawler.store} and its lease keys: defaults, the shared connection settings, and refusals naming the key. */
class CrawlStoreConfigTest {
  @Test
  void jobsAreInMemoryByDefault() {
    CrawlStoreConfig store = ConfigLoader.load(Map.of()).crawler().store();
    assertEquals("memory", store.kind());
    assertFalse(store.inPostgres());
    assertEquals(12_000, store.leaseMs());
    assertEquals(3_000, store.leaseRenewMs());
    assertEquals(100, store.flushMs());
  }

  @Test
  void postgresUsesTheSequencesConnectionSettings() {
    HellonetConfig config = ConfigLoader.load(Map.of("HELLONET_CRAWLER_STORE", "postgres",
        "HELLONET_SEQUENCE_POSTGRES_HOST", "db.example", "HELLONET_SEQUENCE_POSTGRES_PASSWORD", "secret-password"));
    CrawlStoreConfig store = config.crawler().store();
    assertTrue(store.inPostgres());
    assertEquals(config.sequence().postgres(), store.postgres());
    assertEquals("db.example", store.postgres().host());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    Map<Map<String, String>, String> cases = Map.of(
        Map.of("HELLONET_CRAWLER_STORE", "redis"), "crawler.store: must be \"memory\" or \"postgres\"",
        Map.of("HELLONET_CRAWLER_LEASEMS", "999"), "crawler.leaseMs",
        Map.of("HELLONET_CRAWLER_LEASEMS", "4000", "HELLONET_CRAWLER_LEASERENEWMS", "2001"),
        "crawler.leaseRenewMs: must be at most half of crawler.leaseMs",
        Map.of("HELLONET_CRAWLER_STOREFLUSHMS", "0"), "crawler.storeFlushMs",
        Map.of("HELLONET_CRAWLER_STOREPOOLSIZE", "0"), "crawler.storePoolSize");
    cases.forEach((env, message) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(env), env.toString());
      assertTrue(e.getMessage().startsWith(message), e.getMessage());
    });
  }
}
