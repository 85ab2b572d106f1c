package dev.hellonet.attack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of bench/attack.sh, one mode per run, each bounded in count and time and printing one JSON line:
 * <ul>
 *   <li>{@code legit HOST PORT FROM SECONDS RATE}: after one unrecorded second, RATE fresh connections a second, each
 *   one request, 2 s to answer; prints attempts, answered and latency percentiles (connect to reply).</li>
 *   <li>{@code connflood HOST PORT FROM COUNT SECONDS HOLD}: COUNT connections as fast as they go, holding at most HOLD
 *   open (admitted ones stay open to the end, as a flood would keep them).</li>
 *   <li>{@code slowloris HOST PORT FROMS COUNT SECONDS INTERVAL_MS}: COUNT connections spread over the comma-separated
 *   source addresses, each trickling one byte (never a newline) every INTERVAL_MS, reconnecting when closed.</li>
 *   <li>{@code slowreader HOST PORT FROMS COUNT SECONDS}: COUNT connections that pipeline requests and never read.</li>
 * </ul>
 * FROM may be {@code -} for the default source address. Threads are virtual: blocking sockets, one thread each.
 */
public final class AttackClient {
  private AttackClient() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String host = args[1];
    int port = Integer.parseInt(args[2]);
    String from = args[3];
    switch (mode) {
      case "legit" -> legit(host, port, from, Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      case "connflood" -> connflood(host, port, from, Integer.parseInt(args[4]), Integer.parseInt(args[5]),
          Integer.parseInt(args[6]));
      case "slowloris" -> slowloris(host, port, from.split(","), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]), Integer.parseInt(args[6]));
      case "slowreader" -> slowreader(host, port, from.split(","), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]));
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
    System.exit(0); // leftover virtual threads blocked in sockets must not keep the JVM
  }

  private static Socket open(String host, int port, String from, int timeoutMs, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    if (!from.equals("-")) {
      s.bind(new InetSocketAddress(from, 0));
    }
    s.connect(new InetSocketAddress(host, port), timeoutMs);
    s.setSoTimeout(timeoutMs);
    return s;
  }

  /** Reads one line; null at end of stream. */
  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      line.append((char) b);
    }
    return b == -1 && line.isEmpty() ? null : line.toString();
  }

  private static void legit(String host, int port, String from, int seconds, int rate) throws Exception {
    // One unrecorded second first: a fresh JVM's first connections measure its JIT compiler, not the server.
    long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    for (int i = 0; i < rate && System.nanoTime() < warmEnd; i++) {
      try (Socket s = open(host, port, from, 200, 0)) {
        s.getOutputStream().write("warm-up\n".getBytes(StandardCharsets.US_ASCII));
        readLine(s.getInputStream());
      } catch (IOException ignored) {
        // only warming up
      }
      Thread.sleep(1000 / rate);
    }
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong failed = new AtomicLong();
    Map<String, AtomicLong> failures = new java.util.concurrent.ConcurrentHashMap<>();
    int attempts = seconds * rate;
    long periodNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < attempts; i++) {
        long due = start + i * periodNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        pool.submit(() -> {
          long t0 = System.nanoTime();
          try (Socket s = open(host, port, from, 2_000, 0)) {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            String reply = readLine(s.getInputStream());
            if (reply != null && reply.startsWith("Hello World")) {
              latencies.add(System.nanoTime() - t0);
            } else {
              failed.incrementAndGet();
              failures.computeIfAbsent(String.valueOf(reply), k -> new AtomicLong()).incrementAndGet();
            }
          } catch (IOException e) {
            failed.incrementAndGet();
            failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
          }
        });
      }
    }
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("{\"attempts\":%d,\"answered\":%d,\"failed\":%d,\"p50Ms\":%.2f,\"p99Ms\":%.2f,\"maxMs\":%.2f,"
            + "\"failures\":\"%s\"}%n", attempts, sorted.length, failed.get(), pct(sorted, 0.50), pct(sorted, 0.99),
        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6, failures);
  }

  /** The q-quantile in milliseconds; unanswered requests are not in it (they are in the success rate). */
  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static void connflood(String host, int port, String from, int count, int seconds, int hold)
      throws Exception {
    Map<String, AtomicLong> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
    List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
    Semaphore slots = new Semaphore(hold);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int launched = 0;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (; launched < count && System.nanoTime() < deadline; launched++) {
        if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          launched--;
          continue;
        }
        pool.submit(() -> {
          boolean keep = false;
          Socket s = null;
          try {
            s = open(host, port, from, 2_000, 0);
            s.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
            String reply = readLine(s.getInputStream());
            String kind = reply == null ? "closed" : reply.startsWith("Hello World") ? "served" : reply;
            outcomes.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            keep = kind.equals("served");
          } catch (IOException e) {
            outcomes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
          } finally {
            if (keep) {
              held.add(s); // holds its slot: the flood keeps what it gets
            } else {
              closeQuietly(s);
              slots.release();
            }
          }
        });
      }
      pool.shutdown();
      pool.awaitTermination(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime())) + 3,
          TimeUnit.SECONDS);
      held.forEach(AttackClient::closeQuietly);
      pool.shutdownNow();
    }
    System.out.printf("{\"attempts\":%d,\"outcomes\":\"%s\"}%n", launched, outcomes);
  }

  private static void slowloris(String host, int port, String[] froms, int count, int seconds, int intervalMs)
      throws Exception {
    AtomicLong connects = new AtomicLong();
    AtomicLong closedByServer = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        String from = froms[i % froms.length];
        pool.submit(() -> {
          while (System.nanoTime() < deadline) {
            try (Socket s = open(host, port, from, 2_000, 0)) {
              connects.incrementAndGet();
              OutputStream out = s.getOutputStream();
              while (System.nanoTime() < deadline) {
                out.write('G');
                bytes.incrementAndGet();
                Thread.sleep(intervalMs);
                if (s.getInputStream().available() > 0 || peerClosed(s)) {
                  break;
                }
              }
              if (System.nanoTime() < deadline) {
                closedByServer.incrementAndGet();
              }
            } catch (IOException e) {
              closedByServer.incrementAndGet();
              sleepQuietly(intervalMs);
            } catch (InterruptedException e) {
              return null;
            }
          }
          return null;
        });
      }
    }
    System.out.printf("{\"connections\":%d,\"closedByServer\":%d,\"bytesTrickled\":%d}%n", connects.get(),
        closedByServer.get(), bytes.get());
  }

  /** True if the server has closed: a 1 ms read sees end of stream or a reset. */
  private static boolean peerClosed(Socket s) {
    try {
      s.setSoTimeout(1);
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static void slowreader(String host, int port, String[] froms, int count, int seconds) throws Exception {
    AtomicLong sentBytes = new AtomicLong();
    AtomicLong closedByServer = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    byte[] chunk = new byte[16 * 1024];
    Arrays.fill(chunk, (byte) '\n');
    List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        String from = froms[i % froms.length];
        pool.submit(() -> {
          try (Socket s = open(host, port, from, 2_000, 4096)) {
            sockets.add(s);
            OutputStream out = s.getOutputStream();
            // At most 64 MiB each; TCP flow control blocks the write once the server stops reading.
            for (int n = 0; n < 4096 && System.nanoTime() < deadline; n++) {
              out.write(chunk);
              sentBytes.addAndGet(chunk.length);
            }
          } catch (IOException e) {
            if (System.nanoTime() < deadline) {
              closedByServer.incrementAndGet();
            }
          }
          return null;
        });
      }
      // Writers block in write(); at the deadline close their sockets to release them.
      long left = deadline - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.sleep(left);
      }
      synchronized (sockets) {
        sockets.forEach(AttackClient::closeQuietly);
      }
    }
    System.out.printf("{\"connections\":%d,\"closedByServer\":%d,\"sentMiB\":%.1f}%n", count, closedByServer.get(),
        sentBytes.get() / 1048576.0);
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
