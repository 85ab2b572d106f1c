package dev.hellonet.bench;

import dev.hellonet.config.WholeNumbers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The load generator's command line, parsed and validated; a bad option stops with a message naming it.
 *
 * @param request the bytes sent as one request; empty (connection mode only) means send nothing and just read
 */
public record LoadOptions(Mode mode, String host, int port, int connections, int depth, double warmupSeconds,
                          double durationSeconds, Protocol protocol, byte[] request, int eventLoops,
                          boolean resetOnClose, Path json, boolean quiet, List<Integer> ports) {

  /** How this side closes a connection. */
  enum Close { FIN, RESET }

  /** How the load is offered. */
  public enum Mode {
    /** C connections, each keeping D requests in flight. */
    PIPE,
    /** C slots, each connecting, sending one request, reading one reply, closing, and starting over. */
    CONN
  }

  static final String USAGE = """
      usage: ./hellonet loadgen [options]
        Offers load to a server that answers each request line with one line ending in a decimal number, checks
        every reply (line format; no number repeated across the whole run, warm-up included) and reports replies/s,
        latency percentiles and errors. Exit code 0 if every check passed, 1 if not, 2 for a bad option.

        --mode pipe|conn      pipe: C connections, each keeping D requests in flight (default)
                              conn: C slots, each connect / send one request / read one reply / close, repeated
        --host HOST           server address (default 127.0.0.1)
        --port PORT[,PORT...] server port (default 9000); several ports spread the connections over them in turn
                              (one server's processes or a cluster's nodes on one host), checked as one run
        --connections C       connections (pipe) or concurrent slots (conn) (default 32)
        --depth D             requests in flight per connection, pipe mode only (default 1)
        --warmup SECONDS      load offered but not counted first (default 3; fractions allowed)
        --duration SECONDS    measured time after the warm-up (default 10; fractions allowed)
        --protocol P          hellonet: replies "Hello World<N>\\n" (default)
                              redis:    replies ":<n>\\r\\n"; default request INCR hellonet:bench as a RESP array
                              nginx:    like hellonet, one reply then the server closes (conn mode only)
        --request TEXT        request bytes; escapes \\n \\r \\t \\\\ (default per protocol: "hello\\n" or the INCR;
                              Redis's inline form is --request 'INCR hellonet:bench\\r\\n');
                              empty sends nothing (conn mode only)
        --event-loops N       load generator threads (default 1; the generator shares the cores with the server)
        --close fin|reset     how this side closes: fin (default) or reset (SO_LINGER 0: RST, no TIME_WAIT left on
                              the client; use it for long conn-mode runs against servers that wait for the client)
        --json FILE           also write the result as JSON to FILE
        --quiet               print only the result, no progress lines
        --help                this text
      """;

  public LoadOptions {
    request = request.clone();
  }

  @Override
  public byte[] request() {
    return request.clone();
  }

  /** Parses {@code args}; throws {@link IllegalArgumentException} with a message naming the bad option. */
  public static LoadOptions parse(String... args) {
    Mode mode = Mode.PIPE;
    String host = "127.0.0.1";
    List<Integer> ports = List.of(9000);
    int connections = 32;
    Integer depth = null;
    double warmup = 3;
    double duration = 10;
    Protocol protocol = Protocol.HELLONET;
    String request = null;
    int loops = 1;
    Close close = Close.FIN;
    Path json = null;
    boolean quiet = false;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--quiet")) {
        quiet = true;
        continue;
      }
      if (!option.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + option + "' (options start with --; see --help)");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--mode" -> mode = choice(option, value, Mode.class);
        case "--host" -> host = value;
        case "--port" -> {
          List<Integer> list = new ArrayList<>();
          for (String one : value.split(",")) {
            list.add(integer(option, one.trim(), 1, 65535));
          }
          ports = List.copyOf(list);
        }
        case "--connections" -> connections = integer(option, value, 1, 100_000);
        case "--depth" -> depth = integer(option, value, 1, 1 << 16);
        case "--warmup" -> warmup = seconds(option, value, 0);
        case "--duration" -> duration = seconds(option, value, 0.05);
        case "--protocol" -> protocol = choice(option, value, Protocol.class);
        case "--request" -> request = unescape(value);
        case "--event-loops" -> loops = integer(option, value, 1, 256);
        case "--close" -> close = choice(option, value, Close.class);
        case "--json" -> json = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + option + " (see --help)");
      }
    }
    if (mode == Mode.CONN && depth != null && depth != 1) {
      throw new IllegalArgumentException("--depth " + depth + ": conn mode sends one request per connection");
    }
    if (mode == Mode.PIPE && protocol.closesAfterReply()) {
      throw new IllegalArgumentException("--protocol nginx closes after one reply: use --mode conn");
    }
    byte[] bytes = (request == null ? protocol.defaultRequest() : request).getBytes(StandardCharsets.ISO_8859_1);
    if (bytes.length == 0 && mode == Mode.PIPE) {
      throw new IllegalArgumentException("--request: pipe mode needs a non-empty request");
    }
    return new LoadOptions(mode, host, ports.get(0), connections, depth == null ? 1 : depth, warmup, duration,
        protocol, bytes, loops, close == Close.RESET, json, quiet, ports);
  }

  private static int integer(String option, String value, int min, int max) {
    try {
      return (int) WholeNumbers.parse(value, min, max);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }

  private static double seconds(String option, String value, double min) {
    try {
      double s = Double.parseDouble(value);
      if (s >= min && s <= 86_400) {
        return s;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " must be seconds from " + min + " to 86400, not '" + value + "'");
  }

  private static <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E e2 : type.getEnumConstants()) {
        allowed.append(allowed.isEmpty() ? "" : "|").append(e2.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException(option + " must be one of " + allowed + ", not '" + value + "'");
    }
  }

  /** Turns the escapes {@code \n \r \t \\} into the bytes they stand for. */
  static String unescape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i == text.length()) {
        throw new IllegalArgumentException("--request ends in a lone backslash");
      }
      switch (text.charAt(i)) {
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case '\\' -> out.append('\\');
        default -> throw new IllegalArgumentException("--request: unknown escape \\" + text.charAt(i)
            + " (use \\n \\r \\t \\\\)");
      }
    }
    return out.toString();
  }
}
