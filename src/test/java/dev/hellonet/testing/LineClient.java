package dev.hellonet.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking TCP client for tests (cheap on virtual threads) that reads and checks hellonet's reply lines. */
public final class LineClient implements AutoCloseable {
  private static final byte[] PREFIX = "Hello World".getBytes(StandardCharsets.US_ASCII);
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private LineClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    this.out = socket.getOutputStream();
  }

  public static LineClient connect(int port) throws IOException {
    return connect("127.0.0.1", port, 0);
  }

  /** Connects with a small send buffer when {@code sendBuffer > 0}, so that a client that never reads stalls soon. */
  public static LineClient connect(String host, int port, int sendBuffer) throws IOException {
    Socket s = new Socket();
    if (sendBuffer > 0) {
      s.setSendBufferSize(sendBuffer);
    }
    s.connect(new InetSocketAddress(host, port), 5_000);
    s.setSoTimeout(15_000);
    s.setTcpNoDelay(true);
    return new LineClient(s);
  }

  /**
   * Connects to 127.0.0.1 from {@code localAddress} (another loopback address such as 127.0.0.2 gives the server a
   * distinct source), with a small receive buffer when {@code receiveBuffer > 0}, so that a client that does not read
   * stalls the server's writes soon.
   */
  public static LineClient connectFrom(String localAddress, int port, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.bind(new InetSocketAddress(localAddress, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(15_000);
    s.setTcpNoDelay(true);
    return new LineClient(s);
  }

  /** The receive buffer the kernel actually gave this socket (Linux doubles what was asked for). */
  public int receiveBufferSize() throws IOException {
    return socket.getReceiveBufferSize();
  }

  public static byte[] requests(int count) {
    byte[] one = "hello\n".getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[one.length * count];
    for (int i = 0; i < count; i++) {
      System.arraycopy(one, 0, all, i * one.length, one.length);
    }
    return all;
  }

  public LineClient send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  public LineClient send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** The next line without its newline, or null at end of stream; a last line without newline is an error. */
  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(32);
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return line.toString(StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    if (line.size() > 0) {
      throw new IOException("stream ended inside a line: \"" + line.toString(StandardCharsets.ISO_8859_1) + "\"");
    }
    return null;
  }

  /** Reads one reply and returns its number, failing on anything that is not exactly {@code Hello World<N>\n}. */
  public long readNumber() throws IOException {
    long n = 0;
    for (byte p : PREFIX) {
      int b = in.read();
      if (b != p) {
        throw new IOException("malformed reply: expected '" + (char) p + "' but got " + describe(b));
      }
    }
    int digits = 0;
    int b;
    while ((b = in.read()) >= '0' && b <= '9') {
      if (digits == 0 && b == '0') {
        throw new IOException("malformed reply: number with a leading zero");
      }
      n = Math.multiplyExact(n, 10) + (b - '0');
      digits++;
    }
    if (digits == 0 || b != '\n') {
      throw new IOException("malformed reply: after " + digits + " digits got " + describe(b));
    }
    return n;
  }

  /** True when the server has closed its side (after everything it sent was read). */
  public boolean atEndOfStream() throws IOException {
    return in.read() == -1;
  }

  /**
   * True when the server has closed the connection, gracefully or with a reset (as it does to abusive clients); false
   * if more bytes arrive.
   */
  public boolean atEndOfStreamOrReset() throws IOException {
    try {
      return in.read() == -1;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  /** True if nothing arrives within {@code millis}; false if bytes arrive or the stream ends. */
  public boolean silentFor(int millis) throws IOException {
    int old = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      in.mark(1);
      if (in.read() != -1) {
        in.reset();
      }
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(old);
    }
  }

  private static String describe(int b) {
    return b == -1 ? "end of stream" : "byte " + b + " ('" + (char) b + "')";
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
