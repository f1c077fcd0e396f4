package io.evidentsource.server.rest;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.evidentsource.core.command.TransactionRecord;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.component.CommandResult;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.query.QueryPage;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.server.config.NotificationHealth;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON response bodies of the REST API (docs/rest.md#shapes), snake_case, as records that
 * Spring's one {@code JsonMapper} writes; problem details are {@code problem.Problem}. Times are
 * RFC 3339 strings in UTC with the full precision they are stored with; events are written as
 * CloudEvents JSON, selectors and conditions in their JSON shapes, by {@code
 * EvidentSourceJsonModule}. A null member is written as {@code null}.
 */
final class WireJson {
  private WireJson() {}

  /**
   * A database; {@code notifications} only on {@code GET .../{db}} while the relay cannot publish
   * it (omitted otherwise).
   */
  record Database(
      @JsonProperty("name") String name,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("revision") long revision,
      @JsonProperty("revision_time") String revisionTime,
      @JsonProperty("notifications") @JsonInclude(JsonInclude.Include.NON_NULL)
          @Nullable NotificationFailure notifications) {
    static Database of(DatabaseInfo info) {
      return of(info, null);
    }

    static Database of(DatabaseInfo info, NotificationHealth.@Nullable Failure failure) {
      return new Database(
          info.name().value(),
          info.createdAt().toString(),
          info.revision(),
          info.revisionTime().toString(),
          failure == null ? null : NotificationFailure.of(failure));
    }
  }

  /**
   * Why a database's notifications are not being published (docs/dynamodb.md#notifications): the
   * relay's consecutive failed attempts, the last error, and when it tries again.
   */
  record NotificationFailure(
      @JsonProperty("status") String status,
      @JsonProperty("attempts") int attempts,
      @JsonProperty("error") String error,
      @JsonProperty("retry_at") String retryAt) {
    static NotificationFailure of(NotificationHealth.Failure failure) {
      return new NotificationFailure(
          "failing", failure.attempts(), failure.error(), failure.retryAt().toString());
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

  /**
   * The audit record of a transaction ({@code GET .../transactions/{transaction_id}}): its result
   * and who made it from where (docs/security.md#audit).
   */
  record TransactionAudit(
      @JsonProperty("transaction_id") String transactionId,
      @JsonProperty("first_revision") long firstRevision,
      @JsonProperty("revision") long revision,
      @JsonProperty("event_count") int eventCount,
      @JsonProperty("recorded_time") String recordedTime,
      @JsonProperty("principal") String principal,
      @JsonProperty("origin") String origin,
      @JsonProperty("request_id") String requestId,
      @JsonProperty("remote_address") @Nullable String remoteAddress,
      @JsonProperty("user_agent") @Nullable String userAgent) {
    static TransactionAudit of(TransactionRecord record) {
      var r = record.result();
      var o = record.origin();
      return new TransactionAudit(
          r.transactionId().toString(),
          r.firstRevision(),
          r.revision(),
          r.eventCount(),
          r.recordedTime().toString(),
          o.principal(),
          o.origin(),
          o.requestId(),
          o.remoteAddress(),
          o.userAgent());
    }
  }

  record BulkLoad(
      @JsonProperty("event_count") long eventCount,
      @JsonProperty("first_revision") long firstRevision,
      @JsonProperty("revision") long revision) {}

  // ---------------------------------------------------------------- state views and state changes

  /** A published state view version, as publish, list, and describe answer it. */
  record StateView(
      @JsonProperty("name") String name,
      @JsonProperty("version") int version,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("state_view_name") String stateViewName,
      @JsonProperty("description") @Nullable String description,
      @JsonProperty("content_type") String contentType,
      @JsonProperty("content_schema") @Nullable String contentSchema,
      @JsonProperty("event_selector") EventSelector eventSelector,
      @JsonProperty("query_temporality") String queryTemporality,
      @JsonProperty("module_size") int moduleSize,
      @JsonProperty("module_sha256") String moduleSha256) {
    static StateView of(PublishedComponent<StateViewDefinition> v) {
      var d = v.definition();
      return new StateView(
          d.name(),
          v.id().version(),
          v.createdAt().toString(),
          d.name(),
          d.description(),
          d.contentType(),
          d.contentSchema(),
          d.selector(),
          d.temporality().jsonName(),
          v.moduleSize(),
          v.moduleSha256());
    }
  }

  record StateViewList(@JsonProperty("state_views") List<StateView> stateViews) {}

  record StateViewVersions(
      @JsonProperty("state_view_name") String stateViewName,
      @JsonProperty("versions") List<StateView> versions) {}

  /** A published state change version, as publish, list, and describe answer it. */
  record StateChange(
      @JsonProperty("name") String name,
      @JsonProperty("version") int version,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("state_change_name") String stateChangeName,
      @JsonProperty("description") @Nullable String description,
      @JsonProperty("module_size") int moduleSize,
      @JsonProperty("module_sha256") String moduleSha256) {
    static StateChange of(PublishedComponent<StateChangeDefinition> c) {
      return new StateChange(
          c.definition().name(),
          c.id().version(),
          c.createdAt().toString(),
          c.definition().name(),
          c.definition().description(),
          c.moduleSize(),
          c.moduleSha256());
    }
  }

  record StateChangeList(@JsonProperty("state_changes") List<StateChange> stateChanges) {}

  record StateChangeVersions(
      @JsonProperty("state_change_name") String stateChangeName,
      @JsonProperty("versions") List<StateChange> versions) {}

  /**
   * An executed command: the revision it decided at, its transaction (null when it decided no
   * events) and the events it appended.
   */
  record CommandOutcome(
      @JsonProperty("basis_revision") long basisRevision,
      @JsonProperty("transaction") @Nullable Transaction transaction,
      @JsonProperty("events") List<StoredEvent> events) {
    static CommandOutcome of(CommandResult result) {
      var tx = result.transaction();
      return new CommandOutcome(
          result.basisRevision(), tx == null ? null : Transaction.of(tx), result.events());
    }
  }

  /**
   * A command's dry run ({@code ?dry_run=true}): the basis revision, the events the decision would
   * append (with provenance, not stored) and each condition checked there; nothing was appended.
   */
  record CommandDryRun(
      @JsonProperty("dry_run") boolean dryRun,
      @JsonProperty("basis_revision") long basisRevision,
      @JsonProperty("events") List<Event> events,
      @JsonProperty("conditions") List<ConditionCheck> conditions) {
    static CommandDryRun of(io.evidentsource.core.component.CommandDryRun dry) {
      return new CommandDryRun(
          true,
          dry.basisRevision(),
          dry.events(),
          dry.conditions().stream().map(ConditionCheck::of).toList());
    }
  }

  /** A condition of a dry run with L(S) at the basis revision and whether it holds there. */
  record ConditionCheck(
      @JsonProperty("condition") AppendCondition condition,
      @JsonProperty("actual_revision") long actualRevision,
      @JsonProperty("holds") boolean holds) {
    static ConditionCheck of(io.evidentsource.core.condition.ConditionCheck check) {
      return new ConditionCheck(check.condition(), check.actualRevision(), check.holds());
    }
  }

  // ---------------------------------------------------------------------------- live tail

  /**
   * The data of the SSE {@code error} event that ends a live tail: the code, its title, the detail
   * and the error's fields.
   */
  record LiveError(
      @JsonProperty("code") String code,
      @JsonProperty("title") String title,
      @JsonProperty("detail") @Nullable String detail,
      @JsonIgnore Map<String, Object> fields) {
    static LiveError of(EvidentSourceException error) {
      return new LiveError(
          error.code().code(), error.code().defaultMessage(), error.getMessage(), error.fields());
    }

    @JsonAnyGetter
    Map<String, Object> members() {
      return fields;
    }
  }

  // ---------------------------------------------------------------------------------- queries

  record Page(
      @JsonProperty("revision") long revision,
      @JsonProperty("events") List<StoredEvent> events,
      @JsonProperty("next_page_token") @Nullable String nextPageToken) {
    static Page of(QueryPage page) {
      return new Page(page.revision(), page.events(), page.nextPageToken());
    }
  }
}
