package io.evidentsource.core.component;

/**
 * The order a state view folds its events in (docs/data-model.md#state-views-and-state-changes,
 * {@code query_temporality}).
 */
public enum QueryTemporality {
  /** Revision order; reads may pin a revision or a transaction time. */
  REVISION("revision"),
  /** Effective-time order (ties by revision); reads may also give {@code as_of_effective_time}. */
  EFFECTIVE("effective");

  private final String jsonName;

  QueryTemporality(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The wire name, {@code revision} or {@code effective}. */
  public String jsonName() {
    return jsonName;
  }

  /**
   * The temporality with this wire name.
   *
   * @throws IllegalArgumentException naming the value when it is neither
   */
  public static QueryTemporality fromJson(String name) {
    for (var t : values()) {
      if (t.jsonName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "query_temporality must be 'revision' or 'effective', was '" + name + "'");
  }
}
