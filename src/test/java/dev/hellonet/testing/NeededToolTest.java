package dev.hellonet.testing;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A missing tool skips a test on a developer's machine and fails it in CI. */
class NeededToolTest {
  @Test
  void outsideCiAMissingToolSkipsWithItsReason() {
    TestAbortedException e = assertThrows(TestAbortedException.class,
        () -> NeededTool.missing("no ss (apt-get install iproute2)", Map.of()));
    assertTrue(e.getMessage().contains("no ss (apt-get install iproute2)"), e.getMessage());
  }

  @Test
  void inCiAMissingToolFails() {
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> NeededTool.missing("no ss", Map.of("CI", "true")));
    assertTrue(e.getMessage().contains("no ss"), e.getMessage());
  }

  @Test
  void ciMeansSetToAnythingButEmptyOrFalse() {
    assertTrue(NeededTool.inCi(Map.of("CI", "1")));
    assertTrue(NeededTool.inCi(Map.of("CI", "true")));
    assertFalse(NeededTool.inCi(Map.of("CI", "false")));
    assertFalse(NeededTool.inCi(Map.of("CI", "")));
    assertFalse(NeededTool.inCi(Map.of()));
  }
}
