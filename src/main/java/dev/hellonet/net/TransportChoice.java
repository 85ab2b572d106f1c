package dev.hellonet.net;

/** Which Netty transport the Vert.x instance uses: the configuration's {@code transport}. */
public enum TransportChoice { AUTO, EPOLL, NIO }
