package dev.hellonet.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing and matching of allow-list ranges. */
class CidrSetTest {
  private static boolean has(CidrSet set, String address) throws Exception {
    return set.contains(InetAddress.getByName(address));
  }

  @Test
  void matchesIpv4RangesAndBareAddresses() throws Exception {
    CidrSet set = CidrSet.parse(" 10.0.0.0/8 , 192.0.2.7, 172.16.0.0/12");
    assertTrue(has(set, "10.255.1.2"));
    assertFalse(has(set, "11.0.0.1"));
    assertTrue(has(set, "192.0.2.7"));
    assertFalse(has(set, "192.0.2.8"));
    assertTrue(has(set, "172.31.255.255"));
    assertFalse(has(set, "172.32.0.0"));
  }

  @Test
  void matchesIpv6RangesAndIpv4MappedAddressesAsIpv4() throws Exception {
    CidrSet set = CidrSet.parse("2001:db8::/32,::1/128,127.0.0.1/32");
    assertTrue(has(set, "2001:db8:ffff::1"));
    assertFalse(has(set, "2001:db9::1"));
    assertTrue(has(set, "::1"));
    assertTrue(set.contains(InetAddress.getByAddress(
        new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1})));
    assertFalse(has(set, "127.0.0.2"));
  }

  @Test
  void zeroPrefixMatchesEverythingOfItsFamily() throws Exception {
    CidrSet set = CidrSet.parse("0.0.0.0/0");
    assertTrue(has(set, "203.0.113.1"));
    assertFalse(has(set, "2001:db8::1"));
  }

  @Test
  void blankIsEmpty() throws Exception {
    assertTrue(CidrSet.parse("").isEmpty());
    assertTrue(CidrSet.parse(" , ").isEmpty());
    assertFalse(has(CidrSet.parse(""), "127.0.0.1"));
  }

  @Test
  void badEntriesFailNamingTheEntry() {
    for (String bad : new String[]{"example.com", "10.0.0.0/33", "10.0.0.0/x", "300.1.1.1", "::1/129", "10.0.0/8"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CidrSet.parse("1.2.3.4," + bad));
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
  }

  @Test
  void withinMeansEveryRangeLiesInsideOneOfTheOuterSet() {
    CidrSet outer = CidrSet.parse("10.0.0.0/8, fc00::/7");
    assertTrue(CidrSet.parse("10.1.0.0/16").within(outer));
    assertTrue(CidrSet.parse("10.0.0.0/8, fd00::1").within(outer));
    assertTrue(CidrSet.parse("").within(outer));
    assertFalse(CidrSet.parse("0.0.0.0/0").within(outer), "wider than any of them");
    assertFalse(CidrSet.parse("10.1.0.0/16, 11.0.0.1").within(outer));
    assertFalse(CidrSet.parse("::/0").within(outer));
    assertFalse(CidrSet.parse("9.255.255.255/7").within(outer), "8.0.0.0/7 holds 10/8, not the other way round");
  }
}
