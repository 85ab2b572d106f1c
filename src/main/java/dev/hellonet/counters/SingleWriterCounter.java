package dev.hellonet.counters;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A long written by one thread (its event loop) and read by any. Opaque stores cost a plain store on x86, so the hot
 * path pays no atomic instruction; readers see every update eventually and the exact value once writes stop.
 */
public final class SingleWriterCounter {
  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(SingleWriterCounter.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through VALUE
  private long value;

  /** Only the owning thread may call this. */
  public void add(long delta) {
    VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + delta);
  }

  /** Only the owning thread may call this. */
  public void set(long newValue) {
    VALUE.setOpaque(this, newValue);
  }

  public long get() {
    return (long) VALUE.getOpaque(this);
  }
}
