package dev.hellonet.cluster;

/**
 * Crawl job ids that name their owner: {@code <node short id>.<instance>.<local id>}, e.g.
 * {@code 3f2a9c1b7d4e.0.j-lq2x9a-ab12cd34}. The crawler instance knows only the local id; the router adds the owner on
 * the way out and strips it on the way in, so any node can reach the instance that runs a job.
 */
final class JobIds {
  private JobIds() {}

  /** The owner part for instance {@code index} of the node with short id {@code node}. */
  static String owner(String node, int index) {
    return node + "." + index;
  }

  static String routed(String owner, String localId) {
    return owner + "." + localId;
  }

  /** {@code [owner, localId]}, or null when {@code id} does not name an owner. */
  static String[] split(String id) {
    int first = id.indexOf('.');
    int second = first < 0 ? -1 : id.indexOf('.', first + 1);
    if (first <= 0 || second <= first + 1 || second == id.length() - 1) {
      return null;
    }
    String index = id.substring(first + 1, second);
    if (!index.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return new String[] {id.substring(0, second), id.substring(second + 1)};
  }
}
