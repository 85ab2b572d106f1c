package dev.hellonet.bench;

import java.util.regex.Pattern;

/**
 * Groups thread names into pools: every run of digits becomes {@code *}, so {@code vert.x-eventloop-thread-0} and
 * {@code -1} count as {@code vert.x-eventloop-thread-*}, apart from {@code vert.x-acceptor-thread-*}.
 */
public final class ThreadPattern {
  /** Hazelcast names its threads after a random instance name ({@code hz.crazy_blackburn.cached.thread-3}). */
  private static final Pattern HAZELCAST_INSTANCE = Pattern.compile("^hz\\.[^.]+\\.");
  private static final Pattern DIGITS = Pattern.compile("\\d+");

  private ThreadPattern() {}

  /** The pattern of one thread name. */
  public static String of(String threadName) {
    String name = HAZELCAST_INSTANCE.matcher(threadName).replaceFirst("hz.*.");
    return DIGITS.matcher(name).replaceAll("*");
  }
}
