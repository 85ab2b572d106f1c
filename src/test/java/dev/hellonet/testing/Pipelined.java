package dev.hellonet.testing;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipelined hello client of the tests: rounds of requests on one connection, each round sent whole and read whole
 * before the next. Bounded: a given number of rounds, and never more than {@link #MAX_SECONDS}. (BurstLoad is the
 * heavier one, for a kill under a burst whose counters are checked against every round's timing.)
 */
public final class Pipelined {
  /** Small sequence blocks, so that servers sharing one store lease often and really interleave on it. */
  public static final Map<String, String> SMALL_BLOCKS = Map.of(
      "HELLONET_SEQUENCE_MINBLOCK", "16", "HELLONET_SEQUENCE_MAXBLOCK", "256");
  static final long MAX_SECONDS = 300;
  private static final String PREFIX = "Hello World";

  private Pipelined() {}

  /** What one connection read: its numbers in order, and how many requests were answered ERR unavailable. */
  public record Seen(long[] numbers, int unavailable) {}

  /**
   * What several clients share: {@link #running} (clear it to stop them after their round), {@link #mayDie} (set it
   * before killing a server: from then on a connection that breaks ends its client quietly, keeping what it read), and
   * the tallies of numbers and ERR unavailable replies over all of them.
   */
  public static final class Load {
    public final AtomicBoolean running = new AtomicBoolean(true);
    public final AtomicBoolean mayDie = new AtomicBoolean();
    public final AtomicLong numbers = new AtomicLong();
    public final AtomicLong unavailable = new AtomicLong();
  }

  /** {@code rounds} rounds of {@code perRound} requests, every reply a number: the numbers in order. */
  public static long[] rounds(int port, int rounds, int perRound) throws IOException {
    Seen seen = rounds(port, rounds, perRound, new Load());
    assertTrue(seen.unavailable() == 0, seen.unavailable() + " requests answered ERR unavailable");
    return seen.numbers();
  }

  /**
   * Rounds of {@code perRound} requests until {@code rounds} are done or {@code load.running} is cleared. A reply is a
   * number or {@code ERR unavailable} (counted, and the client backs off 20 ms after such a round), nothing else.
   */
  public static Seen rounds(int port, int rounds, int perRound, Load load) throws IOException {
    long[] numbers = new long[1024];
    int count = 0;
    int unavailable = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
    byte[] batch = LineClient.requests(perRound);
    try (LineClient client = LineClient.connect(port)) {
      for (int r = 0; r < rounds && load.running.get() && System.nanoTime() < deadline; r++) {
        client.send(batch);
        int errorsThisRound = 0;
        for (int i = 0; i < perRound; i++) {
          String line = client.readLine();
          if (line == null) {
            throw new IOException("connection closed");
          }
          if (line.equals("ERR unavailable")) {
            errorsThisRound++;
          } else if (line.startsWith(PREFIX)) {
            if (count == numbers.length) {
              numbers = Arrays.copyOf(numbers, 2 * count);
            }
            numbers[count++] = Long.parseLong(line.substring(PREFIX.length()));
            load.numbers.incrementAndGet();
          } else {
            throw new AssertionError("unexpected reply \"" + line + "\"");
          }
        }
        if (errorsThisRound > 0) {
          unavailable += errorsThisRound;
          load.unavailable.addAndGet(errorsThisRound);
          sleep(20); // a client backing off, and a bounded load while the store is down
        }
      }
    } catch (IOException e) {
      if (!load.mayDie.get()) {
        throw e;
      }
      // the server was killed under us: what was read so far counts
    }
    return new Seen(Arrays.copyOf(numbers, count), unavailable);
  }

  /** No number twice over all connections ({@link Numbers#assertUnique}), increasing on each. Returns the highest. */
  public static long assertUniqueAndOrdered(List<Seen> seen) {
    long max = 0;
    for (Seen s : seen) {
      Numbers.assertIncreasing(s.numbers());
      for (long n : s.numbers()) {
        max = Math.max(max, n);
      }
    }
    Numbers.assertUnique(seen.stream().map(Seen::numbers).toList());
    return max;
  }

  /** Starts a server named {@code name} on the store under test. */
  @FunctionalInterface
  public interface Starter {
    ServerProcess start(String name) throws Exception;
  }

  /**
   * The crash every store must survive: a server SIGKILLed under pipelined load (six connections, past 20,000
   * numbers), then a new one started on the same store. Every number the new one sends is above every number sent
   * before the kill, and none repeats over the whole run.
   */
  public static void assertRestartAfterSigkillUnderLoadSendsOnlyHigherNumbers(Starter start) throws Exception {
    ServerProcess first = start.start("first");
    Load load = new Load();
    List<Seen> before = new java.util.ArrayList<>();
    try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<Seen>> running = new java.util.ArrayList<>();
      for (int c = 0; c < 6; c++) {
        running.add(clients.submit(() -> rounds(first.port(), Integer.MAX_VALUE, 50, load)));
      }
      try {
        Await.until(() -> load.numbers.get() > 20_000 || running.stream().anyMatch(java.util.concurrent.Future::isDone),
            "the load reaches 20,000 numbers");
        assertTrue(load.numbers.get() > 20_000, "a client ended before the kill");
        load.mayDie.set(true);
        first.kill();
        first.awaitExit(20);
      } finally {
        load.running.set(false);
      }
      for (java.util.concurrent.Future<Seen> f : running) {
        before.add(f.get(30, TimeUnit.SECONDS));
      }
    }
    long highest = assertUniqueAndOrdered(before);

    ServerProcess second = start.start("second");
    long[] after = rounds(second.port(), 10, 100);
    long lowest = Arrays.stream(after).min().orElseThrow();
    assertTrue(lowest > highest, "after SIGKILL the lowest new number " + lowest + " must exceed " + highest);
    List<long[]> all = new java.util.ArrayList<>(before.stream().map(Seen::numbers).toList());
    all.add(after);
    Numbers.assertUnique(all);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
