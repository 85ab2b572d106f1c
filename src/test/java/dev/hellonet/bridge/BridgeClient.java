package dev.hellonet.bridge;

import io.vertx.core.json.JsonObject;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A blocking client of the bridge protocol for tests: length-prefixed JSON frames over one loopback socket. */
final class BridgeClient implements AutoCloseable {
  final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private BridgeClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
  }

  static BridgeClient connect(int port) throws IOException {
    return connect(port, 0);
  }

  /** With a small receive buffer when {@code receiveBuffer > 0}, so that a client that does not read stalls soon. */
  static BridgeClient connect(int port, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(15_000);
    s.setTcpNoDelay(true);
    return new BridgeClient(s);
  }

  /** From a chosen loopback source address ({@code 127.0.0.2}), as another client would connect. */
  static BridgeClient connectFrom(String localAddress, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(localAddress, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(15_000);
    s.setTcpNoDelay(true);
    return new BridgeClient(s);
  }

  static byte[] frame(JsonObject json) {
    byte[] body = json.encode().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  BridgeClient write(JsonObject json) throws IOException {
    return writeRaw(frame(json));
  }

  /** Buffered; {@link #flush()} sends. */
  BridgeClient writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    return this;
  }

  BridgeClient send(JsonObject json) throws IOException {
    write(json);
    flush();
    return this;
  }

  void flush() throws IOException {
    out.flush();
  }

  /** The next frame; fails on a timeout, and on end of stream with an {@link EOFException}. */
  JsonObject read() throws IOException {
    int length = in.readInt();
    byte[] body = new byte[length];
    in.readFully(body);
    return new JsonObject(new String(body, StandardCharsets.UTF_8));
  }

  /** True if the server closed the connection (after any frames it still sent, which are skipped) within the timeout. */
  boolean closedByServer() throws IOException {
    try {
      while (true) {
        read();
      }
    } catch (EOFException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  static JsonObject request(String address, String replyAddress, Object body) {
    JsonObject f = new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress);
    return body == null ? f : f.put("body", body);
  }

  static JsonObject ping() {
    return new JsonObject().put("type", "ping");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
