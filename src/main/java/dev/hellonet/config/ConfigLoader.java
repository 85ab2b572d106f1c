package dev.hellonet.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Merges the embedded defaults, an optional JSON file and {@code HELLONET_*} environment variables into one JSON tree.
 *
 * <p>This reads plain JSON rather than going through vertx-config because the configuration decides how the Vert.x
 * instance itself is built (transport, instance count), so it has to be known before any Vert.x instance exists.
 */
public final class ConfigLoader {
  /** Names the configuration file to read instead of {@code conf/config.json}. */
  public static final String CONFIG_FILE_VARIABLE = "HELLONET_CONFIG";
  /**
   * Variables of the {@code ./hellonet} launcher, not configuration keys: they carry JVM flags, which must be given
   * before the JVM starts, so the launcher reads them and the loader lets them pass.
   */
  public static final Set<String> LAUNCHER_VARIABLES = Set.of("HELLONET_JVM_OPTS", "HELLONET_LOADGEN_JVM_OPTS");
  static final String ENV_PREFIX = "HELLONET_";
  static final Path DEFAULT_FILE = Path.of("conf", "config.json");
  private static final String DEFAULTS_RESOURCE = "/hellonet/config.json";

  private ConfigLoader() {}

  /** Loads the configuration the way the service does at start: defaults, then the file, then the environment. */
  public static HellonetConfig load(Map<String, String> env) {
    return HellonetConfig.from(merge(env), Runtime.getRuntime().availableProcessors());
  }

  /** The merged JSON tree, before typing: defaults overlaid with the file and the environment. */
  public static JsonObject merge(Map<String, String> env) {
    JsonObject config = defaults();
    JsonObject types = config.copy();
    String named = env.get(CONFIG_FILE_VARIABLE);
    if (named != null && named.isBlank()) {
      throw new ConfigException(CONFIG_FILE_VARIABLE + " is set but empty; name a JSON file or unset it");
    }
    Path file = named != null ? Path.of(named) : DEFAULT_FILE;
    if (named != null || Files.exists(file)) {
      JsonObject fromFile = readFile(file);
      refuseSecrets(fromFile, file);
      overlay(config, fromFile, "", file.toString());
    }
    applyEnvironment(config, types, env);
    return config;
  }

  /** The defaults embedded in the jar (a copy of {@code conf/config.json} made at build time). */
  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("embedded defaults " + DEFAULTS_RESOURCE + " are missing from the jar");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read embedded defaults " + DEFAULTS_RESOURCE, e);
    }
  }

  private static JsonObject readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e);
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException("configuration file " + file + " is not a JSON object: " + jsonProblem(e));
    } catch (ClassCastException e) {
      throw new ConfigException("configuration file " + file + " is not a JSON object: it holds a JSON "
          + (text.strip().startsWith("[") ? "array" : "value") + "; write {\"key\": value, ...}");
    }
  }

  /**
   * Keys that hold secrets come from the environment (or a mounted secret file) only: a configuration file gets
   * committed, copied and logged. An empty value is no secret and is allowed.
   */
  private static void refuseSecrets(JsonObject fromFile, Path file) {
    JsonObject postgres = fromFile.getValue("sequence") instanceof JsonObject seq
        && seq.getValue("postgres") instanceof JsonObject pg ? pg : null;
    // The shipped conf/config.json doubles as the embedded defaults and holds the key empty: no secret in that.
    if (postgres != null && postgres.containsKey("password") && !"".equals(postgres.getValue("password"))) {
      throw new ConfigException(file + ": \"sequence.postgres.password\" must not be set in a configuration file,"
          + " which gets committed and copied around; set the environment variable "
          + variableFor("sequence.postgres.password") + " or point sequence.postgres.passwordFile at a mounted secret");
    }
  }

  /** Jackson's own words and the place, without its "Source: REDACTED (StreamReadFeature...)" boilerplate. */
  static String jsonProblem(DecodeException e) {
    if (e.getCause() instanceof JsonProcessingException j) {
      JsonLocation at = j.getLocation();
      return j.getOriginalMessage() + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
    return e.getMessage();
  }

  /** Copies {@code source} over {@code target}, refusing keys the defaults do not know so that typos fail loudly. */
  private static void overlay(JsonObject target, JsonObject source, String prefix, String origin) {
    for (Map.Entry<String, Object> e : source) {
      String key = prefix + e.getKey();
      if (!target.containsKey(e.getKey())) {
        throw new ConfigException(origin + ": unknown key \"" + key + "\"" + ClosestName.to(e.getKey(), target.fieldNames())
            .map(close -> "; did you mean \"" + prefix + close + "\"?").orElse(""));
      }
      Object current = target.getValue(e.getKey());
      if (current instanceof JsonObject nested) {
        if (!(e.getValue() instanceof JsonObject given)) {
          throw new ConfigException(origin + ": \"" + key + "\" must be an object");
        }
        overlay(nested, given, key + ".", origin);
      } else if (current instanceof JsonArray) {
        // A list default (such as crawler.deny) is replaced whole, never merged element by element.
        if (!(e.getValue() instanceof JsonArray given)) {
          throw new ConfigException(origin + ": \"" + key + "\" must be an array");
        }
        target.put(e.getKey(), given.copy());
      } else if (e.getValue() instanceof JsonObject || e.getValue() instanceof JsonArray) {
        throw new ConfigException(origin + ": \"" + key + "\" must be a single value, not an object or array");
      } else {
        target.put(e.getKey(), e.getValue());
      }
    }
  }

  /** The environment variable that overrides a dotted key: {@code hello.port} is {@code HELLONET_HELLO_PORT}. */
  public static String variableFor(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** Overrides leaves from the environment, parsing each value as the kind of value the defaults hold there. */
  private static void applyEnvironment(JsonObject config, JsonObject types, Map<String, String> env) {
    List<String> leaves = new ArrayList<>();
    collectLeaves(types, "", leaves);
    TreeSet<String> known = new TreeSet<>();
    for (String key : leaves) {
      String variable = variableFor(key);
      known.add(variable);
      String raw = env.get(variable);
      if (raw != null) {
        DottedKeys.set(config, key, parseLike(DottedKeys.get(types, key), raw.trim(), variable));
      }
    }
    for (String name : env.keySet()) {
      if (name.startsWith(ENV_PREFIX) && !known.contains(name) && !name.equals(CONFIG_FILE_VARIABLE)
          && !LAUNCHER_VARIABLES.contains(name)) {
        known.add(CONFIG_FILE_VARIABLE);
        known.addAll(LAUNCHER_VARIABLES);
        throw new ConfigException("unknown environment variable " + name + ClosestName.to(name, known)
            .map(close -> "; did you mean " + close + "?")
            .orElse("; known: " + String.join(", ", known)));
      }
    }
  }

  private static Object parseLike(Object template, String raw, String variable) {
    try {
      if (template instanceof Integer || template instanceof Long) {
        return Long.parseLong(raw);
      }
      if (template instanceof JsonArray) {
        // Lists come as comma-separated values; an empty or blank variable is the empty list.
        JsonArray list = new JsonArray();
        for (String part : raw.split(",")) {
          if (!part.isBlank()) {
            list.add(part.trim());
          }
        }
        return list;
      }
      if (template instanceof Boolean) {
        if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
          throw new NumberFormatException();
        }
        return Boolean.parseBoolean(raw);
      }
      return raw;
    } catch (NumberFormatException e) {
      String kind = template instanceof Boolean ? "true or false" : "a whole number";
      throw new ConfigException(variable + ": must be " + kind + "; got \"" + raw + "\"");
    }
  }

  private static void collectLeaves(JsonObject node, String prefix, List<String> out) {
    for (Map.Entry<String, Object> e : node) {
      if (e.getValue() instanceof JsonObject nested) {
        collectLeaves(nested, prefix + e.getKey() + ".", out);
      } else {
        out.add(prefix + e.getKey());
      }
    }
  }
}
