package dev.hellonet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A client that counts what the hello server answers on one connection: it sends a given stream of bytes from a
 * thread of its own (so the server can push back on it) while it reads, with a receive buffer as small as asked and
 * a pause every few reads, and sorts every reply line into numbered replies, known errors and anything else.
 *
 * <p>Small receive buffers and slow reads are what make a server's writes stop and start: the case where a server
 * that answers a request twice shows it. Loopback with a fast reader hides it.
 */
public final class CountingClient {
  private static final byte[] PREFIX = "Hello World".getBytes(StandardCharsets.US_ASCII);

  /** What one connection received, in order of arrival. */
  public record Replies(long[] numbers, int numbered, int unavailable, int tooLong, int other, String firstOther,
                        boolean endedByServer) {
    /** Every reply line, whatever its kind. */
    public int lines() {
      return numbered + unavailable + tooLong + other;
    }
  }

  private final int receiveBuffer;
  private final int pauseEveryReads;

  /**
   * @param receiveBuffer   the socket's receive buffer asked of the kernel before connecting
   * @param pauseEveryReads sleep a millisecond after this many reads; {@code 0} reads as fast as it can
   */
  public CountingClient(int receiveBuffer, int pauseEveryReads) {
    this.receiveBuffer = receiveBuffer;
    this.pauseEveryReads = pauseEveryReads;
  }

  /** Sends {@code request} on a new connection to 127.0.0.1:{@code port}, then half-closes if asked. */
  public Callable<Replies> exchange(ExecutorService threads, int port, byte[] request, boolean halfClose) {
    return () -> {
      try (Socket socket = new Socket()) {
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(30_000);
        Future<?> writer = threads.submit(() -> {
          OutputStream out = socket.getOutputStream();
          for (int at = 0; at < request.length; at += 16 * 1024) {
            out.write(request, at, Math.min(16 * 1024, request.length - at));
          }
          out.flush();
          if (halfClose) {
            socket.shutdownOutput();
          }
          return null;
        });
        Replies replies = read(socket.getInputStream());
        try {
          writer.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          // The server may close before taking everything (an over-long request); what was read is what counts.
        }
        return replies;
      }
    };
  }

  /** Reads until the server closes its side (or resets the connection). */
  private Replies read(InputStream in) throws IOException, InterruptedException {
    long[] numbers = new long[1024];
    int numbered = 0;
    int unavailable = 0;
    int tooLong = 0;
    int other = 0;
    String firstOther = null;
    StringBuilder line = new StringBuilder(32);
    byte[] buf = new byte[4096];
    long reads = 0;
    boolean ended;
    while (true) {
      int n;
      try {
        n = in.read(buf);
      } catch (java.net.SocketException reset) {
        ended = true;
        break;
      }
      if (n < 0) {
        ended = true;
        break;
      }
      for (int i = 0; i < n; i++) {
        byte b = buf[i];
        if (b != '\n') {
          line.append((char) (b & 0xff));
          continue;
        }
        String text = line.toString();
        line.setLength(0);
        long number = number(text);
        if (number > 0) {
          if (numbered == numbers.length) {
            numbers = java.util.Arrays.copyOf(numbers, numbers.length * 2);
          }
          numbers[numbered++] = number;
        } else if (text.equals("ERR unavailable")) {
          unavailable++;
        } else if (text.equals("ERR request too long")) {
          tooLong++;
        } else {
          if (firstOther == null) {
            firstOther = text;
          }
          other++;
        }
      }
      if (pauseEveryReads > 0 && ++reads % pauseEveryReads == 0) {
        Thread.sleep(1);
      }
    }
    if (line.length() > 0) {
      other++;
      if (firstOther == null) {
        firstOther = line + " (without newline)";
      }
    }
    return new Replies(java.util.Arrays.copyOf(numbers, numbered), numbered, unavailable, tooLong, other, firstOther,
        ended);
  }

  /** The number of a well-formed {@code Hello World<N>} line, or 0. */
  private static long number(String text) {
    if (text.length() <= PREFIX.length || !text.startsWith("Hello World")) {
      return 0;
    }
    long n = 0;
    for (int i = PREFIX.length; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9' || (i == PREFIX.length && c == '0')) {
        return 0;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
