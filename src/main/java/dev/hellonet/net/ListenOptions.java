package dev.hellonet.net;

import io.vertx.core.net.NetServerOptions;

/**
 * NetServerOptions that also carry {@code TCP_DEFER_ACCEPT}, which Vert.x does not expose. Vert.x copies the options a
 * server is created with through {@link #copy()}, so the subclass (and the setting) survives into the transport's
 * {@code configure} call, where {@link DeferAcceptTransport} applies it.
 */
public final class ListenOptions extends NetServerOptions {
  private int deferAcceptSeconds;

  public ListenOptions() {
  }

  private ListenOptions(ListenOptions other) {
    super(other);
    this.deferAcceptSeconds = other.deferAcceptSeconds;
  }

  /** Seconds the kernel holds a new connection that has sent no data before handing it to the server; 0 = off. */
  public ListenOptions setDeferAcceptSeconds(int seconds) {
    this.deferAcceptSeconds = seconds;
    return this;
  }

  public int getDeferAcceptSeconds() {
    return deferAcceptSeconds;
  }

  @Override
  public ListenOptions copy() {
    return new ListenOptions(this);
  }
}
