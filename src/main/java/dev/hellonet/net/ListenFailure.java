package dev.hellonet.net;

import io.vertx.core.Future;

/**
 * A listening socket that could not be opened, told in the operator's terms: which configuration key, which address,
 * and the system's reason ({@code hello.port: cannot listen on TCP 0.0.0.0:9000: Address already in use}), instead of
 * Netty's {@code bind(..) failed with error(-98): Address already in use}, which names neither.
 */
public final class ListenFailure extends RuntimeException {
  private ListenFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** Replaces a failed listen's cause with one naming {@code key} and {@code host:port}; a success passes through. */
  public static <T> Future<T> named(Future<T> listen, String key, String what, String host, int port) {
    return listen.recover(e -> {
      String reason = reason(e);
      String hint = reason.contains("in use") ? " (another process has it; stop that one or choose another " + key + ")"
          : "";
      return Future.failedFuture(new ListenFailure(key + ": cannot listen on " + what + " " + host + ":" + port + ": "
          + reason + hint, e));
    });
  }

  /** The system's words: Netty's native messages carry them after {@code error(-98): }. */
  static String reason(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int errno = message.indexOf("): ");
    return errno >= 0 && message.startsWith("bind(") ? message.substring(errno + 3) : message;
  }
}
