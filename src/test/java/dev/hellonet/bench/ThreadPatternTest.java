package dev.hellonet.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Thread names as the profiles show them, grouped into the pools a summary compares. */
class ThreadPatternTest {
  @Test
  void numberedThreadsOfOnePoolShareAPattern() {
    assertEquals("vert.x-eventloop-thread-*", ThreadPattern.of("vert.x-eventloop-thread-0"));
    assertEquals("vert.x-eventloop-thread-*", ThreadPattern.of("vert.x-eventloop-thread-17"));
    assertEquals("vert.x-acceptor-thread-*", ThreadPattern.of("vert.x-acceptor-thread-0"));
    assertEquals("GC Thread#*", ThreadPattern.of("GC Thread#1"));
  }

  @Test
  void hazelcastThreadsOfEveryWorkerShareAPatternWhateverTheirInstanceName() {
    assertEquals("hz.*.cached.thread-*", ThreadPattern.of("hz.crazy_blackburn.cached.thread-3"));
    assertEquals("hz.*.cached.thread-*", ThreadPattern.of("hz.stupefied_albattani.cached.thread-12"));
  }

  @Test
  void namesWithoutDigitsStayAsTheyAre() {
    assertEquals("main", ThreadPattern.of("main"));
    assertEquals("VM Thread", ThreadPattern.of("VM Thread"));
  }
}
