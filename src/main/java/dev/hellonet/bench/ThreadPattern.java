package dev.hellonet.bench;

/**
 * Groups thread names into pools: every run of digits becomes {@code *}, so {@code vert.x-eventloop-thread-0} and
 * {@code -1} count as {@code vert.x-eventloop-thread-*}, apart from {@code vert.x-acceptor-thread-*}.
 */
public final class ThreadPattern {
  private ThreadPattern() {}

  /** The pattern of one thread name. */
  public static String of(String threadName) {
    return threadName.replaceAll("\\d+", "*");
  }
}
