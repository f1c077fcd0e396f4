package io.evidentsource.core.observe;

/** What a read served; {@link #label()} is the metrics tag value. */
public enum QueryKind {
  /** A query page, an NDJSON export or a selector query (REST and gRPC). */
  QUERY("query"),
  /** One event by revision. */
  GET("get"),
  /** One catch-up read of a live tail (SSE or gRPC {@code SubscribeEvents}). */
  LIVE("live"),
  /** A read the server makes for itself (state view folds, a command's committed events). */
  INTERNAL("internal");

  private final String label;

  QueryKind(String label) {
    this.label = label;
  }

  /** The stable lower-case tag value, e.g. {@code live}. */
  public String label() {
    return label;
  }
}
