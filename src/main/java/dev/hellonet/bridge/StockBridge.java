package dev.hellonet.bridge;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The stock TCP event bus bridge ({@code vertx-tcp-eventbus-bridge}) as a per-connection handler rather than a server,
 * so that the guard can sit in front of it.
 *
 * <p>The stock bridge only offers {@code TcpEventBusBridge.create(vertx, options, netServerOptions, handler)} followed
 * by {@code listen()}: it opens its own server and reads each socket with a parser that waits for whatever length a
 * client announces. To put a bounded decoder in front without copying the bridge, it is created with a view of Vert.x
 * whose {@code createNetServer} returns a server that only records the connect handler the bridge installs; that
 * handler is the bridge's per-socket protocol, and it is handed the guarded sockets. The recording server never
 * listens. Everything else the bridge asks of Vert.x (its event bus) is the real node's.
 */
final class StockBridge {
  private StockBridge() {}

  /** The stock bridge's per-connection handler, with these permissions, on this node's event bus. */
  static Handler<NetSocket> connectionHandler(Vertx vertx, BridgeOptions options) {
    Recorder recorder = new Recorder();
    Vertx view = (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), new Class<?>[] {Vertx.class},
        (proxy, method, args) -> {
          if (method.getName().equals("createNetServer")) {
            return recorder.server();
          }
          return invoke(vertx, method, args);
        });
    TcpEventBusBridge.create(view, options, new NetServerOptions());
    if (recorder.handler == null) {
      throw new IllegalStateException("vertx-tcp-eventbus-bridge did not install a connect handler; this version "
          + "cannot be wrapped (see dev.hellonet.bridge.StockBridge)");
    }
    return recorder.handler;
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** A NetServer that keeps the connect handler it is given; the bridge's own listen and close are refused. */
  private static final class Recorder {
    Handler<NetSocket> handler;

    @SuppressWarnings("unchecked")
    NetServer server() {
      return (NetServer) Proxy.newProxyInstance(NetServer.class.getClassLoader(), new Class<?>[] {NetServer.class},
          (proxy, method, args) -> switch (method.getName()) {
            case "connectHandler" -> {
              if (args != null && args.length == 1) {
                handler = (Handler<NetSocket>) args[0];
                yield proxy;
              }
              yield handler;
            }
            case "close" -> Future.succeededFuture();
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "StockBridge.Recorder";
            default -> throw new UnsupportedOperationException("the wrapped bridge does not listen itself: "
                + method.getName());
          });
    }
  }
}
