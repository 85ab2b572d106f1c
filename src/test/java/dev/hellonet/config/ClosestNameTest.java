package dev.hellonet.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClosestNameTest {
  private static final List<String> FIELDS = List.of("urls", "concurrency", "maxDepth", "maxPages", "retries", "follow");

  @Test
  void suggestsTheNameMeant() {
    assertEquals(Optional.of("maxDepth"), ClosestName.to("depth", FIELDS), "contained");
    assertEquals(Optional.of("follow"), ClosestName.to("folow", FIELDS), "one letter off");
    assertEquals(Optional.of("retries"), ClosestName.to("RETRIES", FIELDS), "another case");
    assertEquals(Optional.of("concurrency"), ClosestName.to("concurency", FIELDS));
  }

  @Test
  void suggestsNothingForANameFarFromAll() {
    assertEquals(Optional.empty(), ClosestName.to("zzzzz", FIELDS));
    assertEquals(Optional.empty(), ClosestName.to("x", FIELDS));
  }

  @Test
  void distanceCountsASwapOfNeighboursAsOneEdit() {
    assertEquals(1, ClosestName.distance("prot", "port"));
    assertEquals(0, ClosestName.distance("abc", "abc"));
    assertEquals(3, ClosestName.distance("kitten", "sitting"));
    assertEquals(4, ClosestName.distance("", "abcd"));
  }
}
