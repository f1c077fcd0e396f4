package io.evidentsource.server.rest;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.ConditionJson;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.security.RequestOrigins;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Writes: JSON transactions with conditions, and the CloudEvents HTTP binding (binary, structured
 * and batch mode) plus NDJSON bulk loads on the events collection.
 */
@RestController
@RequestMapping("/api/v1/databases/{db}")
class AppendController {
  static final String NDJSON = "application/x-ndjson";
  private static final String REQUEST_LIMIT = "evidentsource.max-request-bytes";
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final Set<String> TRANSACTION_MEMBERS =
      Set.of("transaction_id", "events", "conditions");

  private final EventStore store;
  private final EvidentSourceProperties properties;
  private final NdjsonBulkLoader bulkLoader;
  private final SelectorLimits selectorLimits;

  AppendController(
      EventStore store, EvidentSourceProperties properties, SelectorLimits selectorLimits) {
    this.store = store;
    this.properties = properties;
    this.bulkLoader = new NdjsonBulkLoader(store, properties);
    this.selectorLimits = selectorLimits;
    SpoolFiles.deleteStale(SpoolFiles.directory()); // what a killed server left behind
  }

  /** {@code {transaction_id?, events:[...], conditions:[...]}}: one atomic, guarded append. */
  @PostMapping("/transactions")
  ResponseEntity<WireJson.Transaction> transact(
      @PathVariable("db") String db, HttpServletRequest request) {
    DatabaseName database = DatabaseName.of(db);
    RequestBodies.requireJson(request);
    JsonNode body = JsonSupport.parse(readBody(request));
    if (!body.isObject()) {
      throw malformed("$", "the body must be a JSON object {transaction_id?, events, conditions?}");
    }
    for (String member : body.propertyNames()) {
      if (!TRANSACTION_MEMBERS.contains(member)) {
        throw malformed(
            "$." + member,
            "unexpected member '"
                + member
                + "'; a transaction has transaction_id, events and"
                + " conditions");
      }
    }
    UUID transactionId = transactionId(body.get("transaction_id"));
    JsonNode events = body.get("events");
    if (events == null || !events.isArray()) {
      throw malformed("$.events", "the transaction needs 'events', an array of CloudEvents");
    }
    List<Event> parsed = CloudEventJson.readEvents(events, "index");
    JsonNode conditions = body.get("conditions");
    List<AppendCondition> guards =
        conditions == null || conditions.isNull()
            ? List.of()
            : ConditionJson.readList(conditions, "$.conditions");
    for (int i = 0; i < guards.size(); i++) {
      try {
        selectorLimits.check(guards.get(i).selector());
      } catch (EvidentSourceException e) {
        throw e.withField("path", "$.conditions[" + i + "].selector");
      }
    }
    TransactionResult result =
        store.transact(
            database, new Transaction(transactionId, parsed, guards, RequestOrigins.http(request)));
    return ResponseEntity.status(result.duplicate() ? HttpStatus.OK : HttpStatus.CREATED)
        .body(WireJson.Transaction.of(result));
  }

  /**
   * The audit record of a committed transaction: its revision range, recorded time, principal,
   * origin, request id, remote address and user agent (404 {@code transaction_not_found}).
   */
  @GetMapping("/transactions/{transaction_id}")
  WireJson.TransactionAudit transaction(
      @PathVariable("db") String db, @PathVariable("transaction_id") String transactionId) {
    UUID id;
    try {
      id = UUID.fromString(transactionId);
    } catch (IllegalArgumentException e) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "transaction_id must be a UUID, was '" + transactionId + "'",
          Map.of("parameter", "transaction_id"));
    }
    return WireJson.TransactionAudit.of(store.transaction(DatabaseName.of(db), id));
  }

  /**
   * The CloudEvents HTTP binding: structured mode ({@code application/cloudevents+json}), batch
   * mode ({@code application/cloudevents-batch+json}), binary mode ({@code ce-} headers), or an
   * NDJSON bulk load ({@code application/x-ndjson}); with {@code ?mode=restore} an NDJSON export is
   * restored into an empty database, revisions and recorded times kept.
   */
  @PostMapping("/events")
  ResponseEntity<Object> append(
      @PathVariable("db") String db,
      @RequestParam(name = "mode", required = false) @Nullable String mode,
      HttpServletRequest request) {
    DatabaseName database = DatabaseName.of(db);
    NdjsonBulkLoader.Mode loadMode = loadMode(mode);
    MediaType type = RequestBodies.contentType(request);
    String essence = type == null ? "" : type.getType() + "/" + type.getSubtype();
    essence = essence.toLowerCase(Locale.ROOT);
    if (loadMode == NdjsonBulkLoader.Mode.RESTORE && !essence.equals(NDJSON)) {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "mode=restore takes an NDJSON export (Content-Type: "
              + NDJSON
              + "), got Content-Type '"
              + (type == null ? "" : type.toString())
              + "'",
          Map.of("content_type", type == null ? "" : type.toString()));
    }
    if (essence.equals(NDJSON)) {
      RequestBodies.checkDeclaredLength(
          request, properties.maxBulkBytes().toBytes(), "evidentsource.max-bulk-bytes");
      WireJson.BulkLoad result;
      try {
        result =
            bulkLoader.load(
                database, request.getInputStream(), RequestOrigins.http(request), loadMode);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return ResponseEntity.status(HttpStatus.CREATED).body(result);
    }
    List<Event> events;
    if (essence.equals(CloudEventJson.MEDIA_TYPE)) {
      events = List.of(CloudEventJson.readEvent(readBody(request)));
    } else if (essence.equals(CloudEventJson.BATCH_MEDIA_TYPE)) {
      events = CloudEventJson.readBatch(readBody(request));
    } else if (BinaryModeEvents.isBinaryMode(request)) {
      events = List.of(BinaryModeEvents.read(request, readBody(request)));
    } else {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "send CloudEvents in binary mode (ce-* headers), structured mode (Content-Type: "
              + CloudEventJson.MEDIA_TYPE
              + "), batch mode ("
              + CloudEventJson.BATCH_MEDIA_TYPE
              + ") or as NDJSON ("
              + NDJSON
              + "); got Content-Type '"
              + (type == null ? "" : type.toString())
              + "' without ce- headers",
          Map.of("content_type", type == null ? "" : type.toString()));
    }
    TransactionResult result =
        store.transact(database, Transaction.of(events).withOrigin(RequestOrigins.http(request)));
    return ResponseEntity.status(HttpStatus.CREATED).body(WireJson.Transaction.of(result));
  }

  /** {@code mode}: absent or {@code append} appends new events, {@code restore} an export. */
  private static NdjsonBulkLoader.Mode loadMode(@Nullable String mode) {
    if (mode == null || mode.equals("append")) {
      return NdjsonBulkLoader.Mode.APPEND;
    }
    if (mode.equals("restore")) {
      return NdjsonBulkLoader.Mode.RESTORE;
    }
    throw new EvidentSourceException(
        ErrorCode.INVALID_QUERY,
        "mode must be 'append' (the default) or 'restore' (an NDJSON export into an empty"
            + " database), was '"
            + mode
            + "'",
        Map.of("parameter", "mode"));
  }

  private byte[] readBody(HttpServletRequest request) {
    return RequestBodies.read(request, properties.maxRequestBytes().toBytes(), REQUEST_LIMIT);
  }

  private static @Nullable UUID transactionId(@Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isString() || !UUID_TEXT.matcher(node.stringValue()).matches()) {
      throw malformed(
          "$.transaction_id",
          "'transaction_id' must be a UUID such as 3f2b8c1e-5d4a-4f1b-9a7c-2e6d8b0f1a23, was "
              + node);
    }
    return UUID.fromString(node.stringValue());
  }

  private static EvidentSourceException malformed(String path, String detail) {
    return new EvidentSourceException(ErrorCode.MALFORMED_REQUEST, detail, Map.of("path", path));
  }
}
