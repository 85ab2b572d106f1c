package dev.hellonet.guard;

import dev.hellonet.net.CidrSet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-source-address state for admission: open connections and a new-connection rate limit, in a fixed amount of
 * memory shared by every event loop.
 *
 * <p>Why this shape. Vert.x shares one listening socket between all hello-server instances and hands each accepted
 * channel to one instance's event loop, so two connections from one address can arrive on two threads: the state must
 * be concurrent. It is consulted once per accepted connection (and once at its close), never per request. It must
 * stay bounded whatever the sources: IPv6 gives an attacker 2^64 addresses per /64, so a map keyed by address would
 * need eviction, and an evicted attacker starts with a fresh bucket. Instead this is a count-min sketch: two rows of
 * {@code slots} cells, each address hashed (with a per-process random seed, so collisions cannot be aimed at a victim)
 * to one cell per row. A cell holds the sum over every address hashed to it, so a row can only over-estimate an
 * address; the estimate is the smaller of its two cells, and it is exact unless the address shares both cells with
 * others. Memory is fixed ({@code 2 * slots * 12} bytes: 1.5 MiB for 65,536 slots), updates are single atomic
 * operations without locks, and nothing needs sweeping: open counts fall as connections close, and a rate cell whose
 * time lies in the past is simply a full bucket. The price is that an innocent address sharing both cells with a heavy
 * one shares its limits; with 65,536 slots and 10,000 abusive addresses that is about 2% of innocent addresses.
 *
 * <p>The rate limit is a token bucket written as GCRA (generic cell rate algorithm): each cell stores the theoretical
 * arrival time of the next connection, so a bucket is one long updated by compare-and-set. IPv6 sources are keyed by
 * their /64, the unit an ISP hands out.
 */
public final class AddressTable {
  private static final int ROWS = 2;

  private final int mask;
  private final int slots;
  private final long seed0;
  private final long seed1;
  private final int maxOpenPerAddress;
  /** Nanoseconds between two connections at the sustained rate. */
  private final long interval;
  /** How far ahead of now a cell's arrival time may run: (burst - 1) intervals. */
  private final long tolerance;
  private final AtomicIntegerArray open;
  private final AtomicLongArray arrival;

  /** What {@link #admit} decided. */
  public enum Decision { ADMITTED, RATE_LIMITED, OVER_ADDRESS_LIMIT }

  public AddressTable(int slots, int maxOpenPerAddress, int perSecond, int burst) {
    this(slots, maxOpenPerAddress, perSecond, burst, new SecureRandom());
  }

  AddressTable(int slots, int maxOpenPerAddress, int perSecond, int burst, Random seeds) {
    if (Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two: " + slots);
    }
    this.slots = slots;
    this.mask = slots - 1;
    this.seed0 = seeds.nextLong();
    this.seed1 = seeds.nextLong();
    this.maxOpenPerAddress = maxOpenPerAddress;
    this.interval = Math.max(1, 1_000_000_000L / perSecond);
    this.tolerance = (long) (burst - 1) * interval;
    this.open = new AtomicIntegerArray(ROWS * slots);
    this.arrival = new AtomicLongArray(ROWS * slots);
    // Cells start "full": an arrival time far in the past.
    for (int i = 0; i < ROWS * slots; i++) {
      arrival.lazySet(i, Long.MIN_VALUE / 2);
    }
  }

  /** The 64-bit key of an address: IPv4 (and IPv4-mapped IPv6) as itself, IPv6 by its /64 prefix. */
  static long key(InetAddress address) {
    if (address instanceof Inet4Address v4) {
      return 0x1_0000_0000L | (v4.hashCode() & 0xffff_ffffL); // Inet4Address.hashCode() is the address itself
    }
    byte[] b = CidrSet.canonicalBytes(address);
    if (b.length == 4) {
      return 0x1_0000_0000L | ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (b[i] & 0xffL);
    }
    return prefix ^ 0x6a09e667f3bcc909L; // keeps /64 keys apart from the small range IPv4 keys occupy
  }

  /** The cells of {@code key}: row 0 in [0, slots), row 1 in [slots, 2 * slots). */
  long cells(long key) {
    int c0 = (int) mix(key ^ seed0) & mask;
    int c1 = slots + ((int) mix(key ^ seed1) & mask);
    return ((long) c0 << 32) | c1;
  }

  /**
   * Takes a token and an open-connection place for {@code key} at {@code nowNanos}, or neither. On
   * {@link Decision#ADMITTED} the caller must call {@link #release} with the same key exactly once, at close.
   */
  public Decision admit(long key, long nowNanos) {
    long cells = cells(key);
    int c0 = (int) (cells >>> 32);
    int c1 = (int) cells;
    if (!takeToken(c0, c1, nowNanos)) {
      return Decision.RATE_LIMITED;
    }
    int o0 = open.incrementAndGet(c0);
    int o1 = open.incrementAndGet(c1);
    if (Math.min(o0, o1) > maxOpenPerAddress) {
      open.decrementAndGet(c0);
      open.decrementAndGet(c1);
      return Decision.OVER_ADDRESS_LIMIT;
    }
    return Decision.ADMITTED;
  }

  /** Gives back the open-connection place {@link #admit} took. */
  public void release(long key) {
    long cells = cells(key);
    open.decrementAndGet((int) (cells >>> 32));
    open.decrementAndGet((int) cells);
  }

  /** Open connections counted for {@code key} (its estimate: the smaller cell). */
  public int openConnections(long key) {
    long cells = cells(key);
    return Math.min(open.get((int) (cells >>> 32)), open.get((int) cells));
  }

  /** A token is available if either cell has one (the smaller estimate); taking it charges both cells. */
  private boolean takeToken(int c0, int c1, long now) {
    long a0 = arrival.get(c0);
    long a1 = arrival.get(c1);
    if (Math.max(a0, now) - now > tolerance && Math.max(a1, now) - now > tolerance) {
      return false;
    }
    charge(c0, now);
    charge(c1, now);
    return true;
  }

  private void charge(int cell, long now) {
    while (true) {
      long current = arrival.get(cell);
      if (arrival.compareAndSet(cell, current, Math.max(current, now) + interval)) {
        return;
      }
    }
  }

  /** Murmur3's 64-bit finaliser: every input bit affects every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
