package dev.hellonet.guard;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Random;

import static dev.hellonet.guard.AddressTable.Decision.ADMITTED;
import static dev.hellonet.guard.AddressTable.Decision.OVER_ADDRESS_LIMIT;
import static dev.hellonet.guard.AddressTable.Decision.RATE_LIMITED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The per-address table with an explicit clock: exact for distinct addresses, bounded and self-expiring. */
class AddressTableTest {
  private static final long SECOND = 1_000_000_000L;

  private static long key(String address) throws Exception {
    return AddressTable.key(InetAddress.getByName(address));
  }

  @Test
  void capsOpenConnectionsPerAddressAndFreesPlacesOnRelease() throws Exception {
    AddressTable table = new AddressTable(1024, 3, 1_000, 1_000, new Random(1));
    long a = key("192.0.2.1");
    long b = key("192.0.2.2");
    for (int i = 0; i < 3; i++) {
      assertEquals(ADMITTED, table.admit(a, 0));
    }
    assertEquals(OVER_ADDRESS_LIMIT, table.admit(a, 0));
    assertEquals(3, table.openConnections(a), "a refusal takes no place");
    assertEquals(ADMITTED, table.admit(b, 0), "another address has its own places");

    table.release(a);
    assertEquals(ADMITTED, table.admit(a, 0));
  }

  @Test
  void rateLimitAllowsTheBurstThenTheSustainedRate() throws Exception {
    AddressTable table = new AddressTable(1024, 1_000, 10, 5, new Random(2)); // 10/s, burst 5
    long a = key("198.51.100.7");
    long t = 1_000 * SECOND;
    for (int i = 0; i < 5; i++) {
      assertEquals(ADMITTED, table.admit(a, t));
      table.release(a);
    }
    assertEquals(RATE_LIMITED, table.admit(a, t));
    assertEquals(RATE_LIMITED, table.admit(a, t + SECOND / 20), "half an interval later: still no token");
    assertEquals(ADMITTED, table.admit(a, t + SECOND / 10), "one interval (100 ms) later: one token");
    assertEquals(RATE_LIMITED, table.admit(a, t + SECOND / 10));
    assertEquals(ADMITTED, table.admit(key("198.51.100.8"), t), "another address has its own bucket");

    // After a quiet spell the bucket is full again: the state expires by itself.
    for (int i = 0; i < 5; i++) {
      assertEquals(ADMITTED, table.admit(a, t + 10 * SECOND));
    }
    assertEquals(RATE_LIMITED, table.admit(a, t + 10 * SECOND));
  }

  @Test
  void sprayingManyAddressesNeitherGrowsTheTableNorLocksOutNewcomers() throws Exception {
    AddressTable table = new AddressTable(65_536, 8, 1_000_000, 1_000_000, new Random(3));
    long[] sprayed = new long[100_000];
    for (int i = 0; i < sprayed.length; i++) {
      sprayed[i] = AddressTable.key(InetAddress.getByAddress(new byte[]{10, (byte) (i >> 16), (byte) (i >> 8),
          (byte) i}));
      assertEquals(ADMITTED, table.admit(sprayed[i], 0));
    }
    // 100,000 sources in 2 x 65,536 fixed cells: a newcomer's smaller cell is far below the cap of 8.
    for (int i = 0; i < 100; i++) {
      long newcomer = key("203.0.113." + i);
      assertEquals(ADMITTED, table.admit(newcomer, 0), "newcomer " + i);
      table.release(newcomer);
    }
    for (long k : sprayed) {
      table.release(k);
    }
    for (long k : sprayed) {
      assertEquals(0, table.openConnections(k), "every place is given back");
    }
  }

  @Test
  void ipv6SourcesAreKeyedByTheirSlash64AndMappedIpv4AsIpv4() throws Exception {
    assertEquals(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    assertNotEquals(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    assertEquals(key("192.0.2.9"), AddressTable.key(InetAddress.getByAddress(
        new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 9})));
    assertNotEquals(key("192.0.2.9"), key("192.0.2.10"));
  }

  @Test
  void oneHeavyAddressDoesNotLimitADistinctOne() throws Exception {
    AddressTable table = new AddressTable(1024, 2, 1, 1, new Random(4));
    long heavy = key("192.0.2.100");
    long other = key("192.0.2.101");
    assertEquals(ADMITTED, table.admit(heavy, 0));
    assertEquals(RATE_LIMITED, table.admit(heavy, 0));
    assertEquals(ADMITTED, table.admit(other, 0));
  }
}
