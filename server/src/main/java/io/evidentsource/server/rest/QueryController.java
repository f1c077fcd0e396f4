package io.evidentsource.server.rest;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.QueryKind;
import io.evidentsource.core.query.QueryEngine;
import io.evidentsource.core.query.QueryPage;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.config.QueryBudgets;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Iterator;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads: queries by URL parameters or a JSON selector, as JSON pages or as an NDJSON stream of
 * every matching event, and single events by revision.
 */
@RestController
@RequestMapping("/api/v1/databases/{db}/events")
class QueryController {
  /** Response header with the snapshot revision a query read at. */
  static final String REVISION_HEADER = "EvidentSource-Revision";

  static final MediaType NDJSON = MediaType.parseMediaType(AppendController.NDJSON);
  static final MediaType CLOUDEVENT_JSON = MediaType.parseMediaType(CloudEventJson.MEDIA_TYPE);
  private static final int FLUSH_EVERY = 256;

  /**
   * The response buffer of an NDJSON stream: the container writes to the socket when it is full (or
   * at a flush), so a larger one means fewer writes of a long export than the default 8 KiB.
   */
  private static final int NDJSON_BUFFER_BYTES = 64 * 1024;

  private final EventStore store;
  private final EvidentSourceProperties properties;
  private final JsonMapper json;
  private final SelectorLimits selectorLimits;
  private final QueryBudgets budgets;

  QueryController(
      EventStore store,
      EvidentSourceProperties properties,
      JsonMapper json,
      SelectorLimits selectorLimits,
      QueryBudgets budgets) {
    this.store = store;
    this.properties = properties;
    this.json = json;
    this.selectorLimits = selectorLimits;
    this.budgets = budgets;
  }

  @GetMapping
  Object query(
      @PathVariable("db") String db, HttpServletRequest request, HttpServletResponse response) {
    DatabaseName database = DatabaseName.of(db);
    MediaType format = ResponseFormats.choose(request, MediaType.APPLICATION_JSON, NDJSON);
    return answer(
        database,
        QueryParameters.fromUrl(RequestParameters.of(request), selectorLimits),
        format,
        response);
  }

  @PostMapping("/query")
  Object queryBySelector(
      @PathVariable("db") String db, HttpServletRequest request, HttpServletResponse response) {
    DatabaseName database = DatabaseName.of(db);
    MediaType format = ResponseFormats.choose(request, MediaType.APPLICATION_JSON, NDJSON);
    RequestBodies.requireJson(request);
    byte[] body =
        RequestBodies.read(
            request, properties.maxRequestBytes().toBytes(), "evidentsource.max-request-bytes");
    return answer(
        database,
        QueryParameters.fromJson(JsonSupport.parse(body), selectorLimits),
        format,
        response);
  }

  /**
   * One event by revision. The path variable leaves out {@code query}, so that {@code
   * .../events/query} has only its POST route (a GET or OPTIONS there advertises {@code Allow:
   * POST}, as the OpenAPI document says).
   */
  @GetMapping("/{revision:(?!query$).+}")
  ResponseEntity<byte[]> event(
      @PathVariable("db") String db,
      @PathVariable("revision") String revision,
      HttpServletRequest request) {
    DatabaseName database = DatabaseName.of(db);
    MediaType format = ResponseFormats.choose(request, CLOUDEVENT_JSON, MediaType.APPLICATION_JSON);
    long number;
    try {
      number = Long.parseLong(revision);
    } catch (NumberFormatException e) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_QUERY,
          "the revision in the path must be an integer >= 1, was '" + revision + "'",
          Map.of("parameter", "revision"));
    }
    StoredEvent event = store.event(database, number);
    return ResponseEntity.ok().contentType(format).body(CloudEventJson.toJsonBytes(event));
  }

  /**
   * A page of events ({@code ResponseEntity<byte[]>}, answered on the request's thread with its
   * {@code Content-Length}) or an NDJSON stream (a {@link StreamingResponseBody}, written on
   * Spring's task executor as the events are read). The declared type is {@code Object} so that
   * Spring MVC picks the return value handler by the value: only the stream goes asynchronous.
   *
   * <p>The query stops when its client goes away ({@link ClientConnections}): a page within a few
   * thousand index entries, a stream's first chunk too, its later chunks at their next write.
   */
  private Object answer(
      DatabaseName database,
      QueryParameters params,
      MediaType format,
      HttpServletResponse response) {
    // on the request's thread: the probe answers there only
    var budget = budgets.forCall(ClientConnections.gone());
    if (format.equals(NDJSON)) {
      QueryEngine.Result result =
          store.stream(database, params.streamQuery(), params.maxEvents(), QueryKind.QUERY, budget);
      Iterator<StoredEvent> events = result.events();
      // the first chunk is read now, so a query over its budget still gets a problem response
      var unused = events.hasNext();
      response.setContentType(NDJSON.toString());
      response.setBufferSize(NDJSON_BUFFER_BYTES);
      response.setHeader(REVISION_HEADER, Long.toString(result.revision()));
      StreamingResponseBody body = out -> CloudEventJson.writeNdjson(events, out, FLUSH_EVERY);
      return body;
    }
    // Pages are rendered before the response starts, so every error is still a problem response.
    QueryPage page = store.query(database, params.pageQuery(), budget);
    byte[] rendered = json.writeValueAsBytes(WireJson.Page.of(page));
    return ResponseEntity.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .header(REVISION_HEADER, Long.toString(page.revision()))
        .body(rendered);
  }
}
