package dev.hellonet.bridge;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.SocketAddress;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.util.List;

/**
 * The socket the stock bridge sees: reads come from the guard (checked frames only), writes go through the guard
 * (which counts replies and drops slow consumers), and the bridge's own end and error handlers are left to the guard
 * to call. Everything else is the real socket.
 */
final class GuardedSocket implements NetSocket {
  private final NetSocket socket;
  private final BridgeConnection guard;

  GuardedSocket(NetSocket socket, BridgeConnection guard) {
    this.socket = socket;
    this.guard = guard;
  }

  @Override
  public NetSocket handler(Handler<Buffer> handler) {
    guard.stockParser(handler);
    return this;
  }

  @Override
  public NetSocket endHandler(Handler<Void> endHandler) {
    guard.stockEndHandler(endHandler);
    return this;
  }

  @Override
  public NetSocket exceptionHandler(Handler<Throwable> handler) {
    // The guard closes the connection on an error and then runs the bridge's end handler, which is all the bridge's
    // own error handler does (besides logging a reset connection as an error).
    return this;
  }

  @Override
  public NetSocket closeHandler(Handler<Void> handler) {
    guard.stockCloseHandler(handler);
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return guard.outbound(data);
  }

  @Override
  public Future<Void> write(String str) {
    return guard.outbound(Buffer.buffer(str));
  }

  @Override
  public Future<Void> write(String str, String enc) {
    return guard.outbound(Buffer.buffer(str, enc));
  }

  @Override
  public Future<Void> close() {
    return guard.close();
  }

  @Override
  public Future<Void> end() {
    return guard.close();
  }

  @Override
  public NetSocket pause() {
    socket.pause();
    return this;
  }

  @Override
  public NetSocket resume() {
    socket.resume();
    return this;
  }

  @Override
  public NetSocket fetch(long amount) {
    socket.fetch(amount);
    return this;
  }

  @Override
  public NetSocket setWriteQueueMaxSize(int maxSize) {
    socket.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public NetSocket drainHandler(Handler<Void> handler) {
    socket.drainHandler(handler);
    return this;
  }

  @Override
  public NetSocket shutdownHandler(Handler<Void> handler) {
    socket.shutdownHandler(handler);
    return this;
  }

  @Override
  public String writeHandlerID() {
    return socket.writeHandlerID();
  }

  @Override
  public Future<Void> sendFile(String filename, long offset, long length) {
    return Future.failedFuture("the bridge sends frames only");
  }

  @Override
  public SocketAddress remoteAddress() {
    return socket.remoteAddress();
  }

  @Override
  public SocketAddress remoteAddress(boolean real) {
    return socket.remoteAddress(real);
  }

  @Override
  public SocketAddress localAddress() {
    return socket.localAddress();
  }

  @Override
  public SocketAddress localAddress(boolean real) {
    return socket.localAddress(real);
  }

  @Override
  public Future<Void> upgradeToSsl(SSLOptions sslOptions, String serverName, Buffer upgrade) {
    return Future.failedFuture("the bridge does not upgrade to TLS");
  }

  @Override
  public boolean isSsl() {
    return socket.isSsl();
  }

  @Override
  public SSLSession sslSession() {
    return socket.sslSession();
  }

  @Override
  public List<Certificate> peerCertificates() throws SSLPeerUnverifiedException {
    return socket.peerCertificates();
  }

  @Override
  public String indicatedServerName() {
    return socket.indicatedServerName();
  }

  @Override
  public String applicationLayerProtocol() {
    return socket.applicationLayerProtocol();
  }
}
