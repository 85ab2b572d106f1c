package dev.hellonet.cluster;

import dev.hellonet.config.ClusterSecret;
import org.jgroups.util.DefaultSocketFactory;
import org.jgroups.util.SocketFactory;

import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * Mutual TLS on the member port (JGroups' TCP transport): both ends present the cluster's certificate and accept only
 * it ({@link ClusterSecret}), TLS 1.3 only. So every byte members exchange (discovery, membership, the cluster's maps,
 * heartbeats) is encrypted, and a peer without the key never gets a byte past the handshake into JGroups.
 *
 * <p>JGroups reads a new connection's first bytes on its one acceptor thread, so a peer that connects and stays
 * silent would hold up every member's connection behind it. This server socket does each handshake on a virtual thread
 * of its own, with a deadline, and hands JGroups only connections that completed it; refused ones are counted and
 * logged once per peer ({@link Refusals}).
 */
final class MemberTls {
  /** How long a connecting peer has to complete the TLS handshake. */
  static final int HANDSHAKE_TIMEOUT_MS = 5_000;
  /** Handshakes under way at once; a connection beyond them is refused at once. */
  static final int MAX_PENDING_HANDSHAKES = 64;
  private static final String[] PROTOCOLS = {"TLSv1.3"};

  private MemberTls() {}

  /** The socket factory for JGroups' TCP transport. */
  static SocketFactory socketFactory(ClusterSecret secret, Refusals refusals) {
    return socketFactory(context(secret), refusals);
  }

  /** The same over any TLS context (tests build intruders' with keys of their own). */
  static SocketFactory socketFactory(SSLContext context, Refusals refusals) {
    SSLSocketFactory sockets = context.getSocketFactory();
    DefaultSocketFactory factory = new DefaultSocketFactory(sockets, new ServerSocketFactory() {
      @Override
      public ServerSocket createServerSocket() throws IOException {
        return new HandshakingServerSocket(sockets, refusals);
      }

      @Override
      public ServerSocket createServerSocket(int port) throws IOException {
        throw new UnsupportedOperationException("bound by JGroups");
      }

      @Override
      public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        throw new UnsupportedOperationException("bound by JGroups");
      }

      @Override
      public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        throw new UnsupportedOperationException("bound by JGroups");
      }
    });
    factory.setSocketConfigurator(socket -> {
      if (socket instanceof SSLSocket ssl) {
        ssl.setEnabledProtocols(PROTOCOLS);
      }
    });
    return factory;
  }

  static SSLContext context(ClusterSecret secret) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {secret.keyManager()}, new TrustManager[] {secret.trustManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS for the member port: " + e, e);
    }
  }

  /**
   * A plain server socket whose {@link #accept} returns TLS sockets that have completed a handshake requiring the
   * cluster's certificate. The plain accepts run on a virtual thread started by the first {@code accept}.
   */
  private static final class HandshakingServerSocket extends ServerSocket {
    private static final Socket CLOSED = new Socket();
    private final SSLSocketFactory sockets;
    private final Refusals refusals;
    private final BlockingQueue<Socket> ready = new LinkedBlockingQueue<>();
    private final Semaphore pending = new Semaphore(MAX_PENDING_HANDSHAKES);
    private Thread acceptor;

    HandshakingServerSocket(SSLSocketFactory sockets, Refusals refusals) throws IOException {
      this.sockets = sockets;
      this.refusals = refusals;
    }

    @Override
    public Socket accept() throws IOException {
      synchronized (this) {
        if (acceptor == null) {
          acceptor = Thread.ofVirtual().name("hellonet-member-tls-accept").start(this::acceptPlain);
        }
      }
      try {
        Socket next = ready.take();
        if (next == CLOSED) {
          ready.add(CLOSED); // for any other thread in accept()
          throw new SocketException("Socket is closed");
        }
        return next;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SocketException("interrupted");
      }
    }

    private void acceptPlain() {
      try {
        while (!isClosed()) {
          Socket plain = super.accept();
          if (pending.tryAcquire()) {
            Thread.ofVirtual().name("hellonet-member-tls-handshake").start(() -> handshake(plain));
          } else {
            refusals.refused(plain.getInetAddress(), "more than " + MAX_PENDING_HANDSHAKES
                + " handshakes under way");
            closeQuietly(plain);
          }
        }
      } catch (IOException e) {
        // Closed: accept() reports it to JGroups.
      } finally {
        ready.add(CLOSED);
      }
    }

    private void handshake(Socket plain) {
      try {
        plain.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
        SSLSocket tls = (SSLSocket) sockets.createSocket(plain, plain.getInetAddress().getHostAddress(),
            plain.getPort(), true);
        tls.setUseClientMode(false);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setNeedClientAuth(true);
        tls.setSSLParameters(parameters);
        try {
          tls.startHandshake();
          tls.setSoTimeout(0);
        } catch (IOException e) {
          refusals.refused(plain.getInetAddress(), String.valueOf(e.getMessage()));
          closeQuietly(tls);
          return;
        }
        if (isClosed()) {
          closeQuietly(tls);
        } else {
          ready.add(tls);
        }
      } catch (IOException e) {
        closeQuietly(plain);
      } finally {
        pending.release();
      }
    }

    @Override
    public void close() throws IOException {
      super.close();
      for (Socket s; (s = ready.poll()) != null; ) {
        if (s != CLOSED) {
          closeQuietly(s);
        }
      }
      ready.add(CLOSED);
    }

    private static void closeQuietly(Socket socket) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Already gone.
      }
    }
  }
}
