package dev.hellonet.app;

/**
 * Where a node is in its life, as the node itself sets it: whether the hello server listens and whether the node
 * still accepts work. Written by {@link Hellonet}, read by {@link NodeStatusVerticle}; nothing else shares it.
 */
final class NodeLifecycle {
  private volatile boolean accepting = true;
  private volatile int helloPort = -1;

  /** The hello server listens on {@code port}. */
  void helloListening(int port) {
    helloPort = port;
  }

  /** The hello server has stopped (or is stopping) listening. */
  void helloStopped() {
    helloPort = -1;
  }

  /** A graceful stop has begun: readiness turns false before anything is undeployed. */
  void stopAccepting() {
    accepting = false;
  }

  boolean accepting() {
    return accepting;
  }

  boolean helloListening() {
    return helloPort >= 0;
  }

  int helloPort() {
    return helloPort;
  }
}
