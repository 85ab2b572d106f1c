package dev.hellonet.cluster;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Members of one cluster must take numbers from one store; a file is one store only on one host under one name. */
class StoreSharingCheckTest {
  @TempDir
  Path dir;

  @Test
  void theSameFileNamedTwoWaysIsOneStore() throws Exception {
    Path file = Files.createFile(dir.resolve("sequence"));
    Path other = dir.resolve("sub/../sequence");

    assertEquals(StoreSharingCheck.identity("file:" + file), StoreSharingCheck.identity("file:" + other));
  }

  @Test
  void aLiveMemberOnAnotherStoreFailsTheStartNamingBoth() {
    String mine = "file:/a/sequence on host h1";
    Map<String, JsonObject> entries = Map.of(
        "me", new JsonObject().put("store", mine),
        "gone", new JsonObject().put("store", "file:/c/sequence on host h9"),
        "other", new JsonObject().put("store", "file:/a/sequence on host h2"));

    Throwable e = StoreSharingCheck.compare(mine, entries, Set.of("me", "other")).cause();
    assertTrue(e.getMessage().contains("file:/a/sequence on host h2") && e.getMessage().contains(mine),
        e.getMessage());
    assertTrue(StoreSharingCheck.compare(mine, entries, Set.of("me")).succeeded(),
        "a member that has left does not count");
  }
}
