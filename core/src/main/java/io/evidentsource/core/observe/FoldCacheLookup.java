package io.evidentsource.core.observe;

/** What a state view read found in the fold cache; {@link #label()} is the metrics tag value. */
public enum FoldCacheLookup {
  /** The cached fold was at the revision read: no event folded. */
  HIT("hit"),
  /** The cached fold was older: only the events since were folded into it. */
  EXTENDED("extended"),
  /** No usable fold: every matching event was folded from the initial state. */
  MISS("miss");

  private final String label;

  FoldCacheLookup(String label) {
    this.label = label;
  }

  /** The stable lower-case tag value. */
  public String label() {
    return label;
  }
}
