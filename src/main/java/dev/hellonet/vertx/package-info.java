/**
 * Adapters over the Vert.x internal and impl classes hellonet uses, and nothing else: {@link
 * dev.hellonet.vertx.VertxInternals} names each use and why. Depends on no other package of ours.
 */
package dev.hellonet.vertx;
