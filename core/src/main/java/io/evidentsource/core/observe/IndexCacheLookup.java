package io.evidentsource.core.observe;

/**
 * What a read or an append found in the in-memory index of its database, a cache of the log built
 * lazily and extended incrementally; {@link #label()} is the metrics tag value.
 */
public enum IndexCacheLookup {
  /** The index was at the revision needed: nothing read from storage. */
  HIT("hit"),
  /** The index was behind: only the events since were read from storage and indexed. */
  EXTENDED("extended"),
  /** The index was empty (first use since start, or a new generation): built from the log. */
  MISS("miss");

  private final String label;

  IndexCacheLookup(String label) {
    this.label = label;
  }

  /** The stable lower-case tag value. */
  public String label() {
    return label;
  }
}
