package io.evidentsource.server.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.server.config.IndexRebuilds;
import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/admin/databases/{db}/index-rebuilds} starts (or returns the running) rebuild
 * of a database's index segments from its log and answers 202 with the rebuild's progress resource
 * in {@code Location}; {@code GET} on it reports the progress
 * (docs/operations.md#rebuilding-index-segments). 404 {@code database_not_found}; 409 {@code
 * index_segments_disabled} when this server keeps no segments.
 */
@RestController
class IndexRebuildController {
  private static final String PATH = "/api/v1/admin/databases/{db}/index-rebuilds";

  private final IndexRebuilds rebuilds;

  IndexRebuildController(IndexRebuilds rebuilds) {
    this.rebuilds = rebuilds;
  }

  @PostMapping(PATH)
  ResponseEntity<Rebuild> start(@PathVariable("db") String db) {
    var status = rebuilds.start(DatabaseName.of(db));
    return ResponseEntity.accepted().location(location(status)).body(Rebuild.of(status));
  }

  @GetMapping(PATH + "/{id}")
  Rebuild get(@PathVariable("db") String db, @PathVariable("id") String id) {
    var name = DatabaseName.of(db);
    return rebuilds
        .find(name, id)
        .map(Rebuild::of)
        .orElseThrow(
            () ->
                new EvidentSourceException(
                    ErrorCode.NOT_FOUND,
                    "no index rebuild "
                        + id
                        + " of "
                        + name
                        + " on this server instance (each instance keeps the progress of the"
                        + " rebuilds it runs: ask the instance that answered the POST)",
                    Map.of()));
  }

  private static URI location(IndexRebuilds.Status status) {
    return URI.create(
        "/api/v1/admin/databases/" + status.database().value() + "/index-rebuilds/" + status.id());
  }

  /**
   * A rebuild's progress resource.
   *
   * @param id the rebuild's id
   * @param database the database
   * @param generation its generation
   * @param revision the head the rebuild goes up to (the database's revision when requested)
   * @param segmentEvents revisions per segment
   * @param state {@code queued}, {@code running}, {@code succeeded} or {@code failed}
   * @param rangesTotal whole segment ranges up to {@code revision}
   * @param rangesDone ranges checked so far
   * @param segmentsSealed ranges without a segment, sealed from the log
   * @param segmentsReplaced segments that did not decode, replaced by one built from the log
   * @param segmentsKept segments found readable and left as they were
   * @param eventsRead events read from the log
   * @param requestedAt when it was requested (RFC 3339, UTC)
   * @param finishedAt when it ended, or null
   * @param error why it failed, or null
   */
  record Rebuild(
      @JsonProperty("id") String id,
      @JsonProperty("database") String database,
      @JsonProperty("generation") long generation,
      @JsonProperty("revision") long revision,
      @JsonProperty("segment_events") int segmentEvents,
      @JsonProperty("state") String state,
      @JsonProperty("ranges_total") long rangesTotal,
      @JsonProperty("ranges_done") long rangesDone,
      @JsonProperty("segments_sealed") long segmentsSealed,
      @JsonProperty("segments_replaced") long segmentsReplaced,
      @JsonProperty("segments_kept") long segmentsKept,
      @JsonProperty("events_read") long eventsRead,
      @JsonProperty("requested_at") String requestedAt,
      @JsonProperty("finished_at") @Nullable String finishedAt,
      @JsonProperty("error") @Nullable String error) {
    static Rebuild of(IndexRebuilds.Status s) {
      var p = s.progress();
      var finished = s.finishedAt();
      return new Rebuild(
          s.id(),
          s.database().value(),
          s.generation(),
          s.revision(),
          s.segmentEvents(),
          s.state().wire(),
          p.rangesTotal(),
          p.rangesDone(),
          p.sealed(),
          p.replaced(),
          p.kept(),
          p.eventsRead(),
          s.requestedAt().toString(),
          finished == null ? null : finished.toString(),
          s.error());
    }
  }
}
