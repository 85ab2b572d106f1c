package dev.hellonet.cluster;

import dev.hellonet.sequence.FileSequenceStore;
import dev.hellonet.sequence.SequenceStore;
import dev.hellonet.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Members of one cluster must take numbers from one store: compared by the store's identity, not its name. */
@ExtendWith(VertxExtension.class)
class StoreSharingCheckTest {
  @TempDir
  Path dir;

  private static JsonObject entry(String store, String identity) {
    return new JsonObject().put("store", store).put("identity", identity);
  }

  @Test
  void theSameFileNamedTwoWaysIsOneStore(Vertx vertx) throws Exception {
    Path file = dir.resolve("sequence");
    // One store per file per process at a time (POSIX locks), so one after the other.
    String first = identityOf(Await.result(FileSequenceStore.open(vertx, file)));
    String second = identityOf(Await.result(FileSequenceStore.open(vertx, dir.resolve("sub/../sequence"))));
    assertEquals(first, second);
    assertTrue(first.startsWith("file:" + file.toRealPath() + " on host "), first);
  }

  private static String identityOf(SequenceStore store) throws Exception {
    try {
      return Await.result(store.identity());
    } finally {
      Await.result(store.close());
    }
  }

  @Test
  void aLiveMemberOnAnotherStoreFailsTheStartNamingBoth() {
    JsonObject mine = entry("postgres://hellonet@localhost:5432/hellonet?sequence=s", "postgres system 1 database oid 5 sequence s");
    Map<String, JsonObject> entries = Map.of(
        "me", mine,
        "gone", entry("postgres://hellonet@db:5432/hellonet?sequence=s", "postgres system 9 database oid 5 sequence s"),
        "other", entry("postgres://hellonet@localhost:5432/hellonet?sequence=s",
            "postgres system 2 database oid 5 sequence s"));

    Throwable e = StoreSharingCheck.compare(mine, entries, Set.of("me", "other")).cause();
    assertTrue(e != null, "the same configured host, another database: refused");
    assertTrue(e.getMessage().contains("postgres system 2 database oid 5") && e.getMessage().contains("system 1"),
        e.getMessage());
    assertTrue(StoreSharingCheck.compare(mine, entries, Set.of("me")).succeeded(),
        "a member that has left does not count");
  }

  @Test
  void twoNamesForOneDatabaseAreOneStore() {
    JsonObject mine = entry("postgres://hellonet@127.0.0.1:5432/hellonet?sequence=s", "postgres system 1 database oid 5 sequence s");
    Map<String, JsonObject> entries = Map.of("me", mine,
        "other", entry("postgres://hellonet@db.internal:5432/hellonet?sequence=s",
            "postgres system 1 database oid 5 sequence s"));

    assertTrue(StoreSharingCheck.compare(mine, entries, Set.of("me", "other")).succeeded());
  }

  @Test
  void aMemberThatRecordedOnlyItsDescriptionIsComparedByIt() {
    JsonObject mine = entry("postgres://hellonet@db:5432/hellonet?sequence=s", "postgres system 1 database oid 5 sequence s");
    Map<String, JsonObject> same = Map.of("old", new JsonObject().put("store", mine.getString("store")));
    Map<String, JsonObject> other = Map.of("old", new JsonObject().put("store", "file:/srv/sequence on host h"));

    assertTrue(StoreSharingCheck.compare(mine, same, Set.of("old")).succeeded());
    assertTrue(StoreSharingCheck.compare(mine, other, Set.of("old")).failed());
  }
}
