package io.evidentsource.server.rest;

import static io.evidentsource.core.component.ComponentKind.STATE_CHANGE;
import static io.evidentsource.core.component.ComponentKind.STATE_VIEW;

import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.CommandResult;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.ComponentDefinition;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.Provenance;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.component.StateViewResult;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.query.Snapshot;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.core.selector.SelectorText;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.json.SelectorJson;
import io.evidentsource.json.StateViewJson;
import io.evidentsource.server.config.WasmProperties;
import io.evidentsource.server.request.ComponentRequests;
import io.evidentsource.server.security.Callers;
import io.evidentsource.server.security.RequestOrigins;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;

/**
 * State views and state changes over REST (docs/rest.md, docs/wasm-abi.md): publish (multipart
 * {@code metadata} + {@code wasm}), list, describe the versions of one name, download a version's
 * module, read views, execute commands. Each path has its route; the catalog operations behind them
 * are written once for both kinds over {@link ComponentCatalog}, keyed by {@link ComponentKind}.
 */
@RestController
@RequestMapping("/api/v1/databases/{db}")
class ComponentController {
  /** Query parameters of a view read that are not the view's own parameters. */
  static final Set<String> RESERVED =
      Set.of("revision", "as_of_transaction_time", "as_of_effective_time", "format");

  private static final MediaType WASM = MediaType.parseMediaType("application/wasm");

  private static final Set<String> VIEW_METADATA =
      Set.of(
          "state_view_name",
          "description",
          "content_type",
          "content_schema",
          "event_selector",
          "event_selector_text",
          "query_temporality");
  private static final Set<String> CHANGE_METADATA = Set.of("state_change_name", "description");

  private final ComponentCatalog catalog;
  private final StateViews views;
  private final StateChanges changes;
  private final WasmProperties wasm;
  private final SelectorLimits selectorLimits;

  ComponentController(
      ComponentCatalog catalog,
      StateViews views,
      StateChanges changes,
      WasmProperties wasm,
      SelectorLimits selectorLimits) {
    this.catalog = catalog;
    this.views = views;
    this.changes = changes;
    this.wasm = wasm;
    this.selectorLimits = selectorLimits;
  }

  // ------------------------------------------------------------------- routes: one per path

  @PostMapping("/state-views")
  ResponseEntity<WireJson.StateView> publishView(
      @PathVariable("db") String db, HttpServletRequest request) {
    return publish(db, STATE_VIEW, request, WireJson.StateView::of);
  }

  @PostMapping("/state-changes")
  ResponseEntity<WireJson.StateChange> publishChange(
      @PathVariable("db") String db, HttpServletRequest request) {
    return publish(db, STATE_CHANGE, request, WireJson.StateChange::of);
  }

  @GetMapping("/state-views")
  ResponseEntity<WireJson.StateViewList> listViews(@PathVariable("db") String db) {
    return json(
        HttpStatus.OK, new WireJson.StateViewList(list(db, STATE_VIEW, WireJson.StateView::of)));
  }

  @GetMapping("/state-changes")
  ResponseEntity<WireJson.StateChangeList> listChanges(@PathVariable("db") String db) {
    return json(
        HttpStatus.OK,
        new WireJson.StateChangeList(list(db, STATE_CHANGE, WireJson.StateChange::of)));
  }

  /**
   * Every version of one view, ascending (docs/rest.md#endpoints keeps {@code GET .../{name}} for
   * reads).
   */
  @GetMapping("/state-views/{name}/versions")
  ResponseEntity<WireJson.StateViewVersions> viewVersions(
      @PathVariable("db") String db, @PathVariable("name") String name) {
    return json(
        HttpStatus.OK,
        new WireJson.StateViewVersions(
            name, versions(db, STATE_VIEW, name, WireJson.StateView::of)));
  }

  /** Every version of one state change, ascending. */
  @GetMapping("/state-changes/{name}/versions")
  ResponseEntity<WireJson.StateChangeVersions> changeVersions(
      @PathVariable("db") String db, @PathVariable("name") String name) {
    return json(
        HttpStatus.OK,
        new WireJson.StateChangeVersions(
            name, versions(db, STATE_CHANGE, name, WireJson.StateChange::of)));
  }

  /** The module of one view version, byte for byte as published. */
  @GetMapping("/state-views/{name}/versions/{version}/module")
  ResponseEntity<byte[]> viewModule(
      @PathVariable("db") String db,
      @PathVariable("name") String name,
      @PathVariable("version") String version) {
    return module(db, STATE_VIEW, name, version);
  }

  /** The module of one state change version, byte for byte as published. */
  @GetMapping("/state-changes/{name}/versions/{version}/module")
  ResponseEntity<byte[]> changeModule(
      @PathVariable("db") String db,
      @PathVariable("name") String name,
      @PathVariable("version") String version) {
    return module(db, STATE_CHANGE, name, version);
  }

  /** The latest version of one state change (the same path of a view reads the view). */
  @GetMapping("/state-changes/{name}")
  ResponseEntity<WireJson.StateChange> describeChange(
      @PathVariable("db") String db, @PathVariable("name") String name) {
    return json(
        HttpStatus.OK,
        WireJson.StateChange.of(catalog.describe(DatabaseName.of(db), STATE_CHANGE, name, null)));
  }

  /** One version of one state change. */
  @GetMapping("/state-changes/{name}/versions/{version}")
  ResponseEntity<WireJson.StateChange> describeChangeVersion(
      @PathVariable("db") String db,
      @PathVariable("name") String name,
      @PathVariable("version") String version) {
    return json(
        HttpStatus.OK,
        WireJson.StateChange.of(
            catalog.describe(DatabaseName.of(db), STATE_CHANGE, name, version(version))));
  }

  @GetMapping("/state-views/{name}")
  ResponseEntity<?> readView(
      @PathVariable("db") String db,
      @PathVariable("name") String name,
      HttpServletRequest request) {
    return read(db, name, null, request);
  }

  @GetMapping("/state-views/{name}/versions/{version}")
  ResponseEntity<?> readViewVersion(
      @PathVariable("db") String db,
      @PathVariable("name") String name,
      @PathVariable("version") String version,
      HttpServletRequest request) {
    return read(db, name, version(version), request);
  }

  // ------------------------------------------------------ the catalog, once for both kinds

  /**
   * Publishes the multipart {@code metadata} and {@code wasm} as the next version of a component of
   * {@code kind}: 201 with its description and its version's path as {@code Location}.
   */
  private <D extends ComponentDefinition, B> ResponseEntity<B> publish(
      String db,
      ComponentKind<D> kind,
      HttpServletRequest request,
      Function<PublishedComponent<D>, B> body) {
    var database = DatabaseName.of(db);
    var definition = kind.definitionType().cast(definition(kind, metadata(request, kind)));
    var published = catalog.publish(database, kind, definition, module(request));
    return created(
        "/api/v1/databases/"
            + db
            + "/"
            + path(kind)
            + "/"
            + definition.name()
            + "/versions/"
            + published.version(),
        body.apply(published));
  }

  private <D extends ComponentDefinition, B> List<B> list(
      String db, ComponentKind<D> kind, Function<PublishedComponent<D>, B> body) {
    return catalog.list(DatabaseName.of(db), kind).stream().map(body).toList();
  }

  private <D extends ComponentDefinition, B> List<B> versions(
      String db, ComponentKind<D> kind, String name, Function<PublishedComponent<D>, B> body) {
    return catalog.versions(DatabaseName.of(db), kind, name).stream().map(body).toList();
  }

  /**
   * A module download: {@code application/wasm}, the SHA-256 as a strong ETag (so {@code
   * If-None-Match} answers 304) and a file name for {@code curl -OJ}.
   */
  private ResponseEntity<byte[]> module(
      String db, ComponentKind<?> kind, String name, String version) {
    int v = version(version);
    var published = catalog.describe(DatabaseName.of(db), kind, name, v);
    return ResponseEntity.ok()
        .contentType(WASM)
        .eTag("\"" + published.moduleSha256() + "\"")
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment().filename(name + "-v" + v + ".wasm").build().toString())
        .body(catalog.module(published));
  }

  /** The path segment of a kind's resources: {@code state-views}, {@code state-changes}. */
  private static String path(ComponentKind<?> kind) {
    return kind.field().replace('_', '-') + "s";
  }

  /**
   * A definition from publish metadata (checked against the kind's members by {@link #metadata}).
   */
  private ComponentDefinition definition(ComponentKind<?> kind, JsonNode metadata) {
    if (kind == STATE_CHANGE) {
      return new StateChangeDefinition(
          required(metadata, "state_change_name"), text(metadata, "description", false));
    }
    return ComponentRequests.viewDefinition(
        required(metadata, "state_view_name"),
        text(metadata, "description", false),
        required(metadata, "content_type"),
        text(metadata, "content_schema", false),
        viewSelector(metadata),
        text(metadata, "query_temporality", false));
  }

  // ------------------------------------------------------------------------ view reads

  private ResponseEntity<?> read(
      String db, String name, @Nullable Integer version, HttpServletRequest request) {
    var query = RequestParameters.of(request);
    var params = new LinkedHashMap<String, String>();
    query.forEach(
        (key, values) -> {
          if (!RESERVED.contains(key)) {
            if (values.length != 1) {
              throw invalidQuery(key, "parameter '" + key + "' must be given once");
            }
            params.put(key, values[0]);
          }
        });
    var revision = single(query, "revision");
    Long at = null;
    if (revision != null) {
      try {
        at = Long.parseLong(revision);
      } catch (NumberFormatException e) {
        throw invalidQuery("revision", "'revision' must be a whole number, was '" + revision + "'");
      }
    }
    var read =
        new StateViewRead(
            Snapshot.of(at, time(query, "as_of_transaction_time")),
            time(query, "as_of_effective_time"),
            params);
    var format = single(query, "format");
    if (format != null && !format.equals("raw") && !format.equals("envelope")) {
      throw invalidQuery("format", "'format' must be 'raw' or 'envelope', was '" + format + "'");
    }
    StateViewResult result = views.read(DatabaseName.of(db), name, version, read);
    if ("raw".equals(format)) {
      // the same revision header as event queries; no state yet is 204, not an empty JSON body
      var raw =
          ResponseEntity.status(
                  result.content().length == 0 ? HttpStatus.NO_CONTENT : HttpStatus.OK)
              .header(QueryController.REVISION_HEADER, Long.toString(result.revision()))
              .header(
                  "EvidentSource-Last-Modified-Revision",
                  Long.toString(result.lastModifiedRevision()));
      if (result.content().length == 0) {
        return raw.build();
      }
      return raw.contentType(MediaType.parseMediaType(result.contentType())).body(result.content());
    }
    // the envelope a guest's view_state gets too
    return json(HttpStatus.OK, StateViewJson.Envelope.of(result));
  }

  // ---------------------------------------------------------------------------- commands

  @PostMapping("/state-changes/{name}/commands")
  ResponseEntity<?> execute(
      @PathVariable("db") String db,
      @PathVariable("name") String name,
      HttpServletRequest request) {
    return execute(db, name, null, request);
  }

  @PostMapping("/state-changes/{name}/versions/{version}/commands")
  ResponseEntity<?> executeVersion(
      @PathVariable("db") String db,
      @PathVariable("name") String name,
      @PathVariable("version") String version,
      HttpServletRequest request) {
    return execute(db, name, version(version), request);
  }

  /** Executes the command, or with {@code ?dry_run=true} decides it without appending. */
  private ResponseEntity<?> execute(
      String db, String name, @Nullable Integer version, HttpServletRequest request) {
    var body =
        RequestBodies.read(
            request, wasm.maxOutputBytes().toBytes(), "evidentsource.wasm.max-output-bytes");
    var contentType =
        request.getContentType() == null ? "application/json" : request.getContentType();
    ComponentRequests.checkCommandBody(contentType, body);
    var raw = new LinkedHashMap<String, String>();
    for (var n : Collections.list(request.getHeaderNames())) {
      raw.put(n, request.getHeader(n));
    }
    var headers = ComponentRequests.commandHeaders(raw);
    var transactionId =
        ComponentRequests.transactionId(
            request.getHeader("Idempotency-Key"), "Idempotency-Key", "the Idempotency-Key header");
    var provenance =
        new Provenance(
            RequestOrigins.principal(Callers.current()),
            "http",
            request.getHeader("X-Correlation-Id"),
            request.getHeader("X-Causation-Id"),
            transactionId,
            RequestOrigins.http(request));
    var command = new Command(contentType, headers, body);
    if (dryRun(request)) {
      return json(
          HttpStatus.OK,
          WireJson.CommandDryRun.of(
              changes.dryRun(DatabaseName.of(db), name, version, command, provenance)));
    }
    CommandResult result = changes.execute(DatabaseName.of(db), name, version, command, provenance);
    var tx = result.transaction();
    return json(
        tx == null || tx.duplicate() ? HttpStatus.OK : HttpStatus.CREATED,
        WireJson.CommandOutcome.of(result));
  }

  /**
   * The {@code dry_run} query parameter of a command: {@code true} decides and checks the
   * conditions without appending; absent or {@code false} executes. Other parameters are refused,
   * so a misspelt {@code dry_run} never executes a command by accident.
   */
  private static boolean dryRun(HttpServletRequest request) {
    // the query string only: a form-encoded command body is the command's, not parameters
    var query =
        UriComponentsBuilder.newInstance().query(request.getQueryString()).build().getQueryParams();
    for (var key : query.keySet()) {
      if (!key.equals("dry_run")) {
        throw invalidQuery(key, "unknown query parameter '" + key + "'; known: dry_run");
      }
    }
    var values = query.get("dry_run");
    if (values != null && values.size() > 1) {
      throw invalidQuery("dry_run", "parameter 'dry_run' must be given once");
    }
    if (values == null) {
      return false;
    }
    var value = values.get(0);
    if ("false".equals(value)) {
      return false;
    }
    if ("true".equals(value)) {
      return true;
    }
    throw invalidQuery("dry_run", "'dry_run' must be true or false, was '" + value + "'");
  }

  // ---------------------------------------------------------------------------------- helpers

  /**
   * A view's selector: {@code event_selector} as a JSON selector, or {@code event_selector_text} in
   * the text form (as gRPC's {@code PublishStateView} takes it); exactly one of the two.
   */
  private EventSelector viewSelector(JsonNode metadata) {
    var json = metadata.get("event_selector");
    var text = metadata.get("event_selector_text");
    if (json != null && text != null) {
      throw malformed(
          "give either 'event_selector' (JSON) or 'event_selector_text' (text form), not both",
          "event_selector_text");
    }
    if (text != null) {
      if (!text.isString()) {
        throw malformed(
            "'event_selector_text' must be a string such as \"subject = 'account/{account_id}'\"",
            "event_selector_text");
      }
      try {
        return SelectorText.parse(text.stringValue(), selectorLimits);
      } catch (EvidentSourceException e) {
        throw e.withField("field", "event_selector_text");
      }
    }
    if (json == null) {
      throw malformed(
          "metadata needs 'event_selector', e.g. {\"type\":\"any\"}, or 'event_selector_text',"
              + " e.g. \"ANY\"",
          "event_selector");
    }
    try {
      return selectorLimits.check(SelectorJson.read(json, "event_selector"));
    } catch (EvidentSourceException e) {
      throw e.withField("field", "event_selector");
    }
  }

  /** The {@code metadata} part: a JSON object of the members {@code kind} allows. */
  private JsonNode metadata(HttpServletRequest request, ComponentKind<?> kind) {
    var allowed = kind == STATE_VIEW ? VIEW_METADATA : CHANGE_METADATA;
    var bytes = partBytes(request, "metadata", wasm.maxModuleBytes().toBytes());
    JsonNode node;
    try {
      node = JsonSupport.parse(bytes);
    } catch (EvidentSourceException e) {
      if (e.code() != ErrorCode.MALFORMED_JSON || e.getMessage() == null) {
        throw e;
      }
      // the JSON reader speaks of "the request body"; here it is one part of it
      var fields = new java.util.LinkedHashMap<String, Object>(e.fields());
      fields.put("part", "metadata");
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_JSON,
          e.getMessage().replaceFirst("^the request body", "the 'metadata' part"),
          fields,
          e);
    }
    if (!node.isObject()) {
      throw malformed("the 'metadata' part must be a JSON object", "metadata");
    }
    for (String member : node.propertyNames()) {
      if (!allowed.contains(member)) {
        throw malformed(
            "unexpected metadata member '"
                + member
                + "'; allowed: "
                + allowed.stream().sorted().toList(),
            member);
      }
    }
    return node;
  }

  private byte[] module(HttpServletRequest request) {
    return partBytes(request, "wasm", Long.MAX_VALUE);
  }

  private static byte[] partBytes(HttpServletRequest request, String name, long limit) {
    var type = request.getContentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "publish components as multipart/form-data with parts 'metadata' (JSON) and 'wasm'",
          Map.of("supported", List.of("multipart/form-data")));
    }
    try {
      Part part = request.getPart(name);
      if (part == null) {
        throw malformed(
            "the multipart body needs a part named '" + name + "' (parts: 'metadata', 'wasm')",
            name);
      }
      if (part.getSize() > limit) {
        throw malformed("the '" + name + "' part is too large", name);
      }
      try (InputStream in = part.getInputStream()) {
        return in.readAllBytes();
      }
    } catch (IOException | ServletException | IllegalStateException e) {
      throw malformed("the multipart body cannot be read: " + e.getMessage(), name);
    }
  }

  private static String required(JsonNode metadata, String field) {
    var value = text(metadata, field, true);
    return java.util.Objects.requireNonNull(value);
  }

  private static @Nullable String text(JsonNode metadata, String field, boolean required) {
    var node = metadata.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw malformed("metadata needs the string member '" + field + "'", field);
      }
      return null;
    }
    if (!node.isString()) {
      throw malformed("metadata member '" + field + "' must be a string", field);
    }
    return node.stringValue();
  }

  private static Integer version(String text) {
    try {
      int v = Integer.parseInt(text);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw malformed("the version must be a whole number >= 1, was '" + text + "'", "version");
  }

  private static @Nullable String single(Map<String, String[]> query, String name) {
    var values = query.get(name);
    if (values == null) {
      return null;
    }
    if (values.length != 1) {
      throw invalidQuery(name, "parameter '" + name + "' must be given once");
    }
    return values[0];
  }

  private static @Nullable Instant time(Map<String, String[]> query, String name) {
    var text = single(query, name);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw invalidQuery(name, "'" + name + "' must be an RFC 3339 time, was '" + text + "'");
    }
  }

  private static <T> ResponseEntity<T> created(String location, T body) {
    return ResponseEntity.created(URI.create(location))
        .contentType(MediaType.APPLICATION_JSON)
        .body(body);
  }

  private static <T> ResponseEntity<T> json(HttpStatus status, T body) {
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
  }

  private static EvidentSourceException malformed(@Nullable String detail, String field) {
    return ComponentRequests.malformed(detail, field);
  }

  private static EvidentSourceException invalidQuery(String parameter, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_QUERY, detail, Map.of("parameter", parameter));
  }
}
