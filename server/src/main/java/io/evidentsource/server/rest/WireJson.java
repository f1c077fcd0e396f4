package io.evidentsource.server.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.query.QueryPage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The JSON response bodies of the REST API (DESIGN §2, "JSON shapes"), snake_case. Times are RFC
 * 3339 strings in UTC with the full precision they are stored with; events are written as
 * CloudEvents JSON by {@code EvidentSourceJsonModule}.
 */
final class WireJson {
  private WireJson() {}

  record Database(
      @JsonProperty("name") String name,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("revision") long revision,
      @JsonProperty("revision_time") String revisionTime) {
    static Database of(DatabaseInfo info) {
      return new Database(
          info.name().value(),
          info.createdAt().toString(),
          info.revision(),
          info.revisionTime().toString());
    }
  }

  /**
   * The answer to {@code POST /api/v1/databases}: the database's fields at the top level, as {@code
   * GET .../{db}} answers them, and the same object once more under {@code database}, the shape of
   * the first release (kept so its clients keep working; deprecated, see docs/rest.md#shapes).
   */
  record DatabaseCreated(
      @JsonProperty("name") String name,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("revision") long revision,
      @JsonProperty("revision_time") String revisionTime,
      @JsonProperty("database") Database database) {
    static DatabaseCreated of(DatabaseInfo info) {
      var database = Database.of(info);
      return new DatabaseCreated(
          database.name(),
          database.createdAt(),
          database.revision(),
          database.revisionTime(),
          database);
    }
  }

  record DatabaseList(@JsonProperty("databases") List<Database> databases) {}

  record Transaction(
      @JsonProperty("transaction_id") String transactionId,
      @JsonProperty("first_revision") long firstRevision,
      @JsonProperty("revision") long revision,
      @JsonProperty("event_count") int eventCount,
      @JsonProperty("recorded_time") String recordedTime,
      @JsonProperty("duplicate") boolean duplicate) {
    static Transaction of(TransactionResult r) {
      return new Transaction(
          r.transactionId().toString(),
          r.firstRevision(),
          r.revision(),
          r.eventCount(),
          r.recordedTime().toString(),
          r.duplicate());
    }
  }

  record BulkLoad(
      @JsonProperty("event_count") long eventCount,
      @JsonProperty("first_revision") long firstRevision,
      @JsonProperty("revision") long revision) {}

  record Page(
      @JsonProperty("revision") long revision,
      @JsonProperty("events") List<StoredEvent> events,
      @JsonProperty("next_page_token") @Nullable String nextPageToken) {
    static Page of(QueryPage page) {
      return new Page(page.revision(), page.events(), page.nextPageToken());
    }
  }
}
