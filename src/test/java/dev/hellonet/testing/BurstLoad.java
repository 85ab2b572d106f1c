package dev.hellonet.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipelined hello clients on virtual threads for a test that kills a server under them. Until {@link #killing()} each
 * client keeps one connection and sends rounds of {@link #PER_ROUND} requests as fast as they are answered, so a
 * connection seen on a server is still there when it dies. Afterwards a connection that breaks is counted with the
 * requests it left unanswered and the client reconnects; new connections are turned over every few rounds, so that
 * some reach a replacement; every client slows down, leaving the cores to the replacement's start. Bounded: at most
 * {@link #MAX_SECONDS} and {@link #MAX_FAILURES} failed connections a client. Every number read is kept (to find a
 * repeat), and every round's start, end and replies read. Clients may go to several servers' ports; a server killed
 * for good ({@link #killing(int)}) ends its clients when their connection breaks.
 */
public final class BurstLoad implements AutoCloseable {
  public static final int PER_ROUND = 50;
  static final int ROUNDS_PER_CONNECTION_AFTER_KILL = 40;
  static final long PACE_AFTER_KILL_MS = 20;
  static final long MAX_SECONDS = 300;
  static final int MAX_FAILURES = 50;
  private static final byte[] REQUESTS = LineClient.requests(PER_ROUND);

  private final int port;
  private final java.util.Set<Integer> gone = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
  private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Client> clients = new CopyOnWriteArrayList<>();
  private final List<Future<?>> running = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicReference<Throwable> beforeTheKill = new AtomicReference<>();
  private final BitSet seen = new BitSet();
  private final List<Long> repeated = new ArrayList<>();
  private volatile boolean killed;

  /** One client's tallies, written by its own thread only and read once the load has stopped. */
  private static final class Client {
    final int port;
    long replies;
    long brokenAt;
    long servedAfterBreak;
    int broken;
    long outstandingOnBroken;
    /** start, end (epoch ms) and replies read, per round. */
    long[] rounds = new long[3 * 1024];
    int roundCount;

    Client(int port) {
      this.port = port;
    }

    void round(long start, long end, int read) {
      if (3 * roundCount + 3 > rounds.length) {
        rounds = Arrays.copyOf(rounds, rounds.length * 2);
      }
      rounds[3 * roundCount] = start;
      rounds[3 * roundCount + 1] = end;
      rounds[3 * roundCount + 2] = read;
      roundCount++;
    }
  }

  public BurstLoad(int port) {
    this.port = port;
  }

  /** Starts one more client, on the port given at construction. */
  public void addClient() {
    addClient(port);
  }

  /** Starts one more client on {@code port}. */
  public void addClient(int port) {
    Client client = new Client(port);
    clients.add(client);
    running.add(pool.submit(() -> {
      run(client);
      return null;
    }));
  }

  public int clients() {
    return clients.size();
  }

  /** Says that a server is about to be killed: connection failures are expected from now on. */
  public void killing() {
    killed = true;
  }

  /**
   * Says that the server on {@code port} is about to be killed and will not come back: failures are expected, and its
   * clients end when their connection breaks instead of connecting again.
   */
  public void killing(int port) {
    gone.add(port);
    killing();
  }

  /** Fails if a connection failed before {@link #killing()}: nothing should break while all servers run. */
  public void assertHealthy() {
    Throwable e = beforeTheKill.get();
    if (e != null) {
      throw new AssertionError("a connection failed before any server was killed", e);
    }
  }

  /** Stops every client after its current round and waits for them; a client's failure is rethrown. */
  public void stop() throws Exception {
    stop.set(true);
    for (Future<?> f : running) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertHealthy();
  }

  private void run(Client me) throws InterruptedException {
    int failures = 0;
    while (!stop.get() && System.nanoTime() < deadline && !gone.contains(me.port)) {
      boolean openedAfterKill = killed;
      try (LineClient connection = LineClient.connect(me.port)) {
        for (int r = 0; !stop.get() && System.nanoTime() < deadline; r++) {
          if (openedAfterKill && r >= ROUNDS_PER_CONNECTION_AFTER_KILL) {
            break;
          }
          round(me, connection);
          if (killed) {
            Thread.sleep(PACE_AFTER_KILL_MS);
          }
        }
      } catch (IOException e) {
        if (!killed) {
          beforeTheKill.compareAndSet(null, e);
        }
        assertTrue(++failures <= MAX_FAILURES, "more than " + MAX_FAILURES + " failed connections, last: " + e);
        Thread.sleep(50);
      }
    }
  }

  private void round(Client me, LineClient connection) throws IOException {
    long start = System.currentTimeMillis();
    long[] got = new long[PER_ROUND];
    int read = 0;
    boolean whole = false;
    try {
      connection.send(REQUESTS);
      for (; read < PER_ROUND; read++) {
        got[read] = connection.readNumber();
      }
      whole = true;
    } finally {
      me.round(start, System.currentTimeMillis(), read);
      me.replies += read;
      keep(got, read);
      if (!whole) {
        // The server may have read (and counted replies to) every request of the round: all may be lost in flight.
        me.broken++;
        me.outstandingOnBroken += PER_ROUND - read;
        if (me.brokenAt == 0) {
          me.brokenAt = System.currentTimeMillis();
        }
      } else if (me.brokenAt != 0) {
        me.servedAfterBreak += read;
      }
    }
  }

  private void keep(long[] numbers, int count) {
    synchronized (seen) {
      for (int i = 0; i < count; i++) {
        long n = numbers[i];
        assertTrue(n > 0 && n <= Integer.MAX_VALUE, "number out of this test's range: " + n);
        if (seen.get((int) n)) {
          repeated.add(n);
        } else {
          seen.set((int) n);
        }
      }
    }
  }

  /** Every reply read, over every client. */
  public long replies() {
    return clients.stream().mapToLong(c -> c.replies).sum();
  }

  /** Every reply read from the server on {@code port}. */
  public long replies(int port) {
    return clients.stream().filter(c -> c.port == port).mapToLong(c -> c.replies).sum();
  }

  /** Every number read, in no particular order (for {@link Numbers#assertUnique} over several phases of a test). */
  public long[] numbers() {
    synchronized (seen) {
      return seen.stream().asLongStream().toArray();
    }
  }

  /** Connections that failed in the middle of a round (a reset, an end of stream, a cut reply). */
  public int brokenConnections() {
    return clients.stream().mapToInt(c -> c.broken).sum();
  }

  /** Requests sent on broken connections and never answered: the most a dead server counted that no client read. */
  public long outstandingOnBrokenConnections() {
    return clients.stream().mapToLong(c -> c.outstandingOnBroken).sum();
  }

  /** Replies read in rounds that ended at or after {@code from} and started at or before {@code to} (epoch ms). */
  public long repliesInRoundsBetween(long from, long to) {
    long sum = 0;
    for (Client c : clients) {
      for (int i = 0; i < c.roundCount; i++) {
        if (c.rounds[3 * i + 1] >= from && c.rounds[3 * i] <= to) {
          sum += c.rounds[3 * i + 2];
        }
      }
    }
    return sum;
  }

  /** Every client whose connection broke read replies on a new one afterwards. */
  public void assertBrokenClientsWereServedAgain() {
    for (Client c : clients) {
      if (c.brokenAt != 0) {
        assertTrue(c.servedAfterBreak > 0, "a client whose connection broke was never served again");
      }
    }
  }

  /** No number was read twice, and every reply read was a number seen once. */
  public void assertNoNumberRepeated() {
    synchronized (seen) {
      assertEquals(List.of(), repeated.subList(0, Math.min(10, repeated.size())), "numbers read twice");
      assertEquals(replies(), seen.cardinality(), "every reply read is a distinct number");
      assertTrue(seen.cardinality() > 0, "the load read replies");
    }
  }

  @Override
  public void close() {
    stop.set(true);
    pool.shutdownNow();
  }
}
