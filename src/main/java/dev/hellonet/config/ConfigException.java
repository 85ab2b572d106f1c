package dev.hellonet.config;

/** A configuration value is missing, unknown or out of range; the message names the key and what is wrong. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
