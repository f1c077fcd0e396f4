package io.evidentsource.server.grpc;

import static io.evidentsource.api.ProtoCloudEvents.instant;
import static io.evidentsource.api.ProtoCloudEvents.timestamp;

import com.google.protobuf.ByteString;
import io.evidentsource.api.v1.ConditionCheck;
import io.evidentsource.api.v1.DryRunCommandResponse;
import io.evidentsource.api.v1.ExecuteCommandResponse;
import io.evidentsource.api.v1.ReadStateViewRequest;
import io.evidentsource.api.v1.ReadStateViewResponse;
import io.evidentsource.core.component.CommandDryRun;
import io.evidentsource.core.component.CommandResult;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.component.StateViewResult;
import io.evidentsource.core.query.Snapshot;
import io.evidentsource.server.request.ComponentRequests;
import org.jspecify.annotations.Nullable;

/**
 * State views and state changes in evidentsource.v1 messages: published versions, reads and command
 * results.
 */
final class ComponentMapping {
  private ComponentMapping() {}

  static io.evidentsource.api.v1.StateView stateView(PublishedComponent<StateViewDefinition> v) {
    var d = v.definition();
    var b =
        io.evidentsource.api.v1.StateView.newBuilder()
            .setName(d.name())
            .setVersion(v.id().version())
            .setCreatedAt(timestamp(v.createdAt()))
            .setContentType(d.contentType())
            .setEventSelector(SelectorMapping.selector(d.selector()))
            .setQueryTemporality(
                d.temporality() == QueryTemporality.EFFECTIVE
                    ? io.evidentsource.api.v1.QueryTemporality.QUERY_TEMPORALITY_EFFECTIVE
                    : io.evidentsource.api.v1.QueryTemporality.QUERY_TEMPORALITY_REVISION)
            .setModuleSize(v.moduleSize())
            .setModuleSha256(v.moduleSha256());
    if (d.description() != null) {
      b.setDescription(d.description());
    }
    if (d.contentSchema() != null) {
      b.setContentSchema(d.contentSchema());
    }
    return b.build();
  }

  static io.evidentsource.api.v1.StateChange stateChange(
      PublishedComponent<StateChangeDefinition> c) {
    var b =
        io.evidentsource.api.v1.StateChange.newBuilder()
            .setName(c.definition().name())
            .setVersion(c.id().version())
            .setCreatedAt(timestamp(c.createdAt()))
            .setModuleSize(c.moduleSize())
            .setModuleSha256(c.moduleSha256());
    if (c.definition().description() != null) {
      b.setDescription(c.definition().description());
    }
    return b.build();
  }

  /** The JSON name of a publish request's temporality, or null for the default (revision). */
  static @Nullable String temporality(io.evidentsource.api.v1.PublishStateViewRequest r) {
    return switch (r.getQueryTemporality()) {
      case QUERY_TEMPORALITY_UNSPECIFIED -> null;
      case QUERY_TEMPORALITY_REVISION -> QueryTemporality.REVISION.jsonName();
      case QUERY_TEMPORALITY_EFFECTIVE -> QueryTemporality.EFFECTIVE.jsonName();
      case UNRECOGNIZED ->
          throw ComponentRequests.malformed(
              "unknown query_temporality " + r.getQueryTemporalityValue(), "query_temporality");
    };
  }

  static StateViewRead stateViewRead(ReadStateViewRequest r) {
    return new StateViewRead(
        Snapshot.of(
            r.hasRevision() ? r.getRevision() : null,
            r.hasAsOfTransactionTime() ? instant(r.getAsOfTransactionTime()) : null),
        r.hasAsOfEffectiveTime() ? instant(r.getAsOfEffectiveTime()) : null,
        r.getParamsMap());
  }

  static ReadStateViewResponse readStateViewResponse(StateViewResult result) {
    var b =
        ReadStateViewResponse.newBuilder()
            .setDatabase(result.database().value())
            .setName(result.name())
            .setVersion(result.version())
            .setRevision(result.revision())
            .setLastModifiedRevision(result.lastModifiedRevision())
            .setContentType(result.contentType())
            .setContent(ByteString.copyFrom(result.content()));
    if (result.lastModifiedTime() != null) {
      b.setLastModifiedTime(timestamp(result.lastModifiedTime()));
    }
    return b.build();
  }

  static ExecuteCommandResponse executeCommandResponse(CommandResult result) {
    var b = ExecuteCommandResponse.newBuilder().setBasisRevision(result.basisRevision());
    if (result.transaction() != null) {
      b.setTransaction(EventMapping.transactResponse(result.transaction()));
    }
    result.events().forEach(e -> b.addEvents(EventMapping.storedEvent(e)));
    return b.build();
  }

  static DryRunCommandResponse dryRunCommandResponse(CommandDryRun dry) {
    var b = DryRunCommandResponse.newBuilder().setBasisRevision(dry.basisRevision());
    dry.events().forEach(e -> b.addEvents(EventMapping.cloudEvent(e)));
    for (var check : dry.conditions()) {
      b.addConditions(
          ConditionCheck.newBuilder()
              .setCondition(SelectorMapping.condition(check.condition()))
              .setActualRevision(check.actualRevision())
              .setHolds(check.holds()));
    }
    return b.build();
  }
}
