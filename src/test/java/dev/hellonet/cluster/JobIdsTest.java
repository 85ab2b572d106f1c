package dev.hellonet.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Job ids name their owner; anything that does not is an unknown job, never a crash. */
class JobIdsTest {
  @Test
  void aRoutedIdSplitsIntoItsOwnerAndTheLocalId() {
    String id = JobIds.routed(JobIds.owner("3f2a9c1b7d4e", 12), "j-lq2x9a-ab12cd34");
    assertArrayEquals(new String[] {"3f2a9c1b7d4e.12", "j-lq2x9a-ab12cd34"}, JobIds.split(id));
  }

  @Test
  void idsWithoutAnOwnerDoNotSplit() {
    assertNull(JobIds.split("j-lq2x9a-ab12cd34"));
    assertNull(JobIds.split("abc.x.j-1"));
    assertNull(JobIds.split("abc.1."));
    assertNull(JobIds.split(".1.j"));
    assertNull(JobIds.split("abc..j"));
  }
}
