package dev.hellonet.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One check and one wording for whole numbers, whether they come as JSON values or as command-line text. */
class WholeNumbersTest {
  @Test
  void acceptsWholeNumbersInRangeWhateverTheirJsonType() {
    assertEquals(5, WholeNumbers.check(5, 1, 10));
    assertEquals(5, WholeNumbers.check(5L, 1, 10));
    assertEquals(5, WholeNumbers.check(5.0, 1, 10));
    assertEquals(1, WholeNumbers.check(1, 1, 10));
    assertEquals(10, WholeNumbers.parse(" 10 ", 1, 10));
  }

  @Test
  void refusesFractionsTextAndOutOfRangeSayingWhy() {
    assertMessage("must be a whole number between 1 and 10; got 2.5", () -> WholeNumbers.check(2.5, 1, 10));
    assertMessage("must be a whole number between 1 and 10; got 7", () -> WholeNumbers.check("7", 1, 10));
    assertMessage("must be a whole number between 1 and 10; got null", () -> WholeNumbers.check(null, 1, 10));
    assertMessage("must be between 1 and 10; got 11", () -> WholeNumbers.check(11, 1, 10));
    assertMessage("must be a whole number between 1 and 10; got 'x'", () -> WholeNumbers.parse("x", 1, 10));
    assertMessage("must be between 1 and 10; got 0", () -> WholeNumbers.parse("0", 1, 10));
  }

  @Test
  void isWithinAgreesWithCheckWithoutThrowing() {
    assertTrue(WholeNumbers.isWithin(5, 1, 10));
    assertTrue(WholeNumbers.isWithin(10.0, 1, 10));
    assertFalse(WholeNumbers.isWithin(11, 1, 10));
    assertFalse(WholeNumbers.isWithin(0L, 1, 10));
    assertFalse(WholeNumbers.isWithin(2.5, 1, 10));
    assertFalse(WholeNumbers.isWithin("5", 1, 10));
    assertFalse(WholeNumbers.isWithin(null, 1, 10));
  }

  private static void assertMessage(String expected, Runnable call) {
    assertEquals(expected, assertThrows(IllegalArgumentException.class, call::run).getMessage());
  }
}
