package io.evidentsource.storage.dynamodb;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The names of the adapter's tables, all derived from one prefix (docs/dynamodb.md, ADR 0006).
 *
 * @param prefix the table name prefix, e.g. {@code evidentsource} gives {@code
 *     evidentsource-databases}; 1-200 characters of {@code [a-zA-Z0-9_.-]}
 */
public record DynamoDbTables(String prefix) {
  private static final Pattern PREFIX = Pattern.compile("[a-zA-Z0-9_.-]{1,200}");

  public DynamoDbTables {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "prefix must be 1-200 characters of [a-zA-Z0-9_.-], was '" + prefix + "'");
    }
  }

  /** The catalog: one item per database name (head revision, generation, created_at). */
  public String databases() {
    return prefix + "-databases";
  }

  /** The log: partition key {@code db#generation}, sort key revision, one item per event. */
  public String events() {
    return prefix + "-events";
  }

  /** Idempotency records: one item per committed transaction id. */
  public String transactions() {
    return prefix + "-transactions";
  }

  /** Sealed index segments (ADR 0011, {@link DynamoDbIndexSegmentStore}). */
  public String indexes() {
    return prefix + "-indexes";
  }

  /** Per-database published watermarks of the notification relay. */
  public String publications() {
    return prefix + "-publications";
  }

  /**
   * Published components (ADR 0007): partition key {@code db#generation#kind}, sort key {@code
   * name#version}; the module bytes live in S3.
   */
  public String components() {
    return prefix + "-components";
  }

  /** Every table, in creation order. */
  public List<String> all() {
    return List.of(databases(), events(), transactions(), indexes(), publications(), components());
  }
}
