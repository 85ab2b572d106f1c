package dev.hellonet.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request-reply throughput through the event bus bridge: {@code connections} sockets, each keeping {@code depth}
 * requests to {@code hellonet.counters.get} in flight, for {@code seconds} after a warm-up; every reply is checked to
 * be a {@code message} frame. Prints one line: {@code connections depth replies seconds replies/s}.
 *
 * <pre>./hellonet java -cp target/hellonet.jar dev.hellonet.bench.BridgeBench PORT CONNECTIONS DEPTH SECONDS</pre>
 */
public final class BridgeBench {
  private static final byte[] MESSAGE = "{\"type\":\"message\"".getBytes(StandardCharsets.US_ASCII);

  private BridgeBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: BridgeBench PORT CONNECTIONS DEPTH SECONDS");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int connections = Integer.parseInt(args[1]);
    int depth = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    LongAdder replies = new LongAdder();
    AtomicBoolean running = new AtomicBoolean(true);
    // The first failure of a reader or writer while the run was on; reported at the end.
    AtomicReference<String> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    List<Socket> sockets = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Socket socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      sockets.add(socket);
      byte[] frame = frame("{\"type\":\"send\",\"address\":\"hellonet.counters.get\",\"replyAddress\":\"bench." + c
          + "\",\"body\":{}}");
      Semaphore window = new Semaphore(depth);
      threads.add(Thread.ofVirtual().start(() -> write(socket, frame, window, running, failure)));
      threads.add(Thread.ofVirtual().start(() -> read(socket, window, replies, running, failure)));
    }
    Thread.sleep(2_000); // warm-up: JIT, connection pools
    long before = replies.sum();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long count = replies.sum() - before;
    double elapsed = (System.nanoTime() - start) / 1e9;
    running.set(false);
    for (Socket s : sockets) {
      s.close();
    }
    for (Thread t : threads) {
      t.interrupt(); // a writer may wait for a window slot that no reply will free now
    }
    for (Thread t : threads) {
      t.join(5_000);
    }
    if (failure.get() != null) {
      System.err.println("BridgeBench: " + failure.get());
      System.exit(1);
    }
    System.out.printf("%d %d %d %.1f %.0f%n", connections, depth, count, elapsed, count / elapsed);
  }

  private static byte[] frame(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  private static void write(Socket socket, byte[] frame, Semaphore window, AtomicBoolean running,
                            AtomicReference<String> failure) {
    try {
      OutputStream out = socket.getOutputStream();
      while (running.get()) {
        window.acquire();
        out.write(frame);
      }
    } catch (IOException | InterruptedException e) {
      if (running.get()) {
        failure.compareAndSet(null, "write failed: " + e);
      }
    }
  }

  private static void read(Socket socket, Semaphore window, LongAdder replies, AtomicBoolean running,
                           AtomicReference<String> failure) {
    try {
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
      byte[] body = new byte[64 * 1024];
      while (running.get()) {
        int length = in.readInt();
        if (length > body.length) {
          body = new byte[length];
        }
        in.readFully(body, 0, length);
        if (!Arrays.equals(body, 0, MESSAGE.length, MESSAGE, 0, MESSAGE.length)) {
          failure.compareAndSet(null, "not a reply: " + new String(body, 0, Math.min(length, 300),
              StandardCharsets.UTF_8));
          return;
        }
        replies.increment();
        window.release();
      }
    } catch (IOException e) {
      if (running.get()) {
        failure.compareAndSet(null, "read failed: " + e);
      }
    }
  }
}
