package dev.hellonet.api;

import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/** The methods each path of the contract allows, for the {@code Allow} header a 405 must carry (RFC 9110). */
final class AllowedMethods {
  private record Entry(Pattern path, String methods) {}

  private final List<Entry> entries;

  private AllowedMethods(List<Entry> entries) {
    this.entries = entries;
  }

  static AllowedMethods of(OpenAPIContract contract) {
    List<Entry> entries = new ArrayList<>();
    for (Path path : contract.getPaths()) {
      StringJoiner methods = new StringJoiner(", ");
      for (Operation op : path.getOperations()) {
        methods.add(op.getHttpMethod().name());
      }
      // {id} matches one path segment; everything else literally.
      String regex = Pattern.quote(path.getName()).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
      entries.add(new Entry(Pattern.compile(regex), methods.toString()));
    }
    entries.add(new Entry(Pattern.compile(Pattern.quote("/openapi.yaml")), "GET"));
    return new AllowedMethods(List.copyOf(entries));
  }

  /** The allowed methods of the path, or an empty string when the contract does not know it. */
  String forPath(String requestPath) {
    for (Entry e : entries) {
      if (e.path().matcher(requestPath).matches()) {
        return e.methods();
      }
    }
    return "";
  }
}
