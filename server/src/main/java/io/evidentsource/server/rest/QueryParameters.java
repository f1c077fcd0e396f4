package io.evidentsource.server.rest;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;
import io.evidentsource.core.query.Page;
import io.evidentsource.core.query.RevisionRange;
import io.evidentsource.core.query.Snapshot;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.core.selector.SelectorText;
import io.evidentsource.json.SelectorJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A query request from the URL of {@code GET .../events} or the JSON body of {@code POST
 * .../events/query} (docs/queries.md, ADR 0003), parsed once into the core {@link EventQuery}: its
 * parts ({@code Snapshot}, {@code Page}, {@code RevisionRange}) hold the rules for conflicting
 * parameters, with the same errors for both forms and for gRPC. Unknown or repeated parameters are
 * errors, so a typo never silently widens a query.
 *
 * @param query the query with the default page size
 * @param limit {@code limit} as given: the page size of a page, or the most events of an NDJSON
 *     stream; null when absent
 */
record QueryParameters(EventQuery query, @Nullable Long limit) {

  /** The simple filters of the GET form; repeated values of one filter are alternatives. */
  static final List<String> FILTERS = List.of("stream", "subject", "type", "tag", "q");

  /** Every parameter the GET form accepts (the OpenAPI document lists exactly these). */
  static final Set<String> GET_PARAMETERS =
      Set.of(
          "stream",
          "subject",
          "type",
          "tag",
          "q",
          "revision",
          "as_of_transaction_time",
          "as_of_effective_time",
          "from_revision",
          "to_revision",
          "direction",
          "order",
          "limit",
          "page_token");

  /** Every member of the POST body. */
  static final Set<String> BODY_MEMBERS =
      Set.of(
          "selector",
          "revision",
          "as_of_transaction_time",
          "as_of_effective_time",
          "from_revision",
          "to_revision",
          "direction",
          "order",
          "limit",
          "page_token");

  /** The query for one page: {@code limit} defaults to 100 and may be at most 1000. */
  EventQuery pageQuery() {
    return query.withLimit(EventQuery.limitOrDefault(limit));
  }

  /** The query for a stream; only {@link #maxEvents()} bounds its length. */
  EventQuery streamQuery() {
    return query.withLimit(EventQuery.MAX_LIMIT);
  }

  /** The most events to stream: {@code limit} when given, else all. */
  long maxEvents() {
    if (limit == null) {
      return Long.MAX_VALUE;
    }
    if (limit < 1) {
      throw invalid("limit", "'limit' must be >= 1, was " + limit);
    }
    return limit;
  }

  /** Parses URL parameters; the selector must be within {@code limits}. */
  static QueryParameters fromUrl(Map<String, String[]> parameters, SelectorLimits limits) {
    for (var entry : parameters.entrySet()) {
      String name = entry.getKey();
      if (!GET_PARAMETERS.contains(name)) {
        throw invalid(
            name, "unknown query parameter '" + name + "'; known: " + String.join(", ", sorted()));
      }
      if (!FILTERS.contains(name) && entry.getValue().length > 1) {
        throw invalid(name, "query parameter '" + name + "' may be given only once");
      }
    }
    var snapshot =
        Snapshot.of(
            longParam(parameters, "revision"), timeParam(parameters, "as_of_transaction_time"));
    var query =
        EventQuery.of(filters(parameters, limits))
            .withPage(Page.of(snapshot, single(parameters, "page_token")))
            .withRange(
                new RevisionRange(
                    orDefault(longParam(parameters, "from_revision"), 1L),
                    longParam(parameters, "to_revision")))
            .withOrder(order(single(parameters, "order")))
            .withDirection(direction(single(parameters, "direction")))
            .withAsOfEffectiveTime(timeParam(parameters, "as_of_effective_time"));
    return new QueryParameters(query, longParam(parameters, "limit"));
  }

  /**
   * The selector of the simple filters ({@code stream}, {@code subject}, {@code type}, {@code tag},
   * {@code q}) of a URL: repeated values of one filter are alternatives, different filters must all
   * match; none selects every event. An empty or blank {@code q} adds no condition, like an empty
   * query box. The whole selector must be within {@code limits}.
   */
  static EventSelector filters(Map<String, String[]> parameters, SelectorLimits limits) {
    var parts = new ArrayList<EventSelector>();
    addAlternatives(parts, parameters.get("stream"), Attribute.STREAM);
    addAlternatives(parts, parameters.get("subject"), Attribute.SUBJECT);
    addAlternatives(parts, parameters.get("type"), Attribute.EVENT_TYPE);
    addAlternatives(parts, parameters.get("tag"), Attribute.TAG);
    String[] texts = parameters.get("q");
    if (texts != null) {
      for (String text : texts) {
        if (text.isBlank()) {
          continue;
        }
        try {
          parts.add(SelectorText.parse(text, limits));
        } catch (EvidentSourceException e) {
          throw e.withField("parameter", "q");
        }
      }
    }
    EventSelector selector =
        parts.isEmpty()
            ? EventSelector.any()
            : parts.size() == 1 ? parts.get(0) : new EventSelector.And(parts);
    return limits.check(selector);
  }

  /** Every parameter of the live tail ({@code GET .../events/live}). */
  static final Set<String> LIVE_PARAMETERS =
      Set.of("stream", "subject", "type", "tag", "q", "from_revision");

  /**
   * The selector and {@code from_revision} (null when absent) of a live tail URL.
   *
   * @throws EvidentSourceException {@code INVALID_QUERY} for unknown or repeated parameters
   */
  static Map.Entry<EventSelector, @Nullable Long> live(
      Map<String, String[]> parameters, SelectorLimits limits) {
    for (var entry : parameters.entrySet()) {
      String name = entry.getKey();
      if (!LIVE_PARAMETERS.contains(name)) {
        throw invalid(
            name,
            "unknown query parameter '"
                + name
                + "'; known: "
                + String.join(", ", sorted(LIVE_PARAMETERS)));
      }
      if (!FILTERS.contains(name) && entry.getValue().length > 1) {
        throw invalid(name, "query parameter '" + name + "' may be given only once");
      }
    }
    return new java.util.AbstractMap.SimpleImmutableEntry<>(
        filters(parameters, limits), longParam(parameters, "from_revision"));
  }

  /** Parses the JSON body of {@code POST .../events/query}; the selector must be within limits. */
  static QueryParameters fromJson(JsonNode body, SelectorLimits limits) {
    if (!body.isObject()) {
      throw invalid("$", "the query body must be a JSON object with at least 'selector'");
    }
    for (String name : body.propertyNames()) {
      if (!BODY_MEMBERS.contains(name)) {
        throw invalid(
            name,
            "unknown member '" + name + "'; known: " + String.join(", ", sorted(BODY_MEMBERS)));
      }
    }
    JsonNode selector = body.get("selector");
    if (selector == null || selector.isNull()) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_SELECTOR,
          "the query needs a 'selector', e.g. {\"type\":\"any\"} (at $.selector)",
          Map.of("path", "$.selector"));
    }
    EventSelector parsed;
    try {
      parsed = limits.check(SelectorJson.read(selector, "$.selector"));
    } catch (EvidentSourceException e) {
      throw e.code() == ErrorCode.SELECTOR_TOO_COMPLEX ? e.withField("path", "$.selector") : e;
    }
    var snapshot =
        Snapshot.of(
            longMember(body, "revision"),
            time("as_of_transaction_time", stringMember(body, "as_of_transaction_time")));
    var query =
        EventQuery.of(parsed)
            .withPage(Page.of(snapshot, stringMember(body, "page_token")))
            .withRange(
                new RevisionRange(
                    orDefault(longMember(body, "from_revision"), 1L),
                    longMember(body, "to_revision")))
            .withOrder(order(stringMember(body, "order")))
            .withDirection(direction(stringMember(body, "direction")))
            .withAsOfEffectiveTime(
                time("as_of_effective_time", stringMember(body, "as_of_effective_time")));
    return new QueryParameters(query, longMember(body, "limit"));
  }

  private static void addAlternatives(
      List<EventSelector> parts, String @Nullable [] values, Attribute attribute) {
    if (values == null || values.length == 0) {
      return;
    }
    var alternatives = new ArrayList<EventSelector>(values.length);
    for (String value : new LinkedHashSet<>(List.of(values))) {
      alternatives.add(new EventSelector.Equals(attribute, value));
    }
    parts.add(alternatives.size() == 1 ? alternatives.get(0) : new EventSelector.Or(alternatives));
  }

  private static @Nullable String single(Map<String, String[]> parameters, String name) {
    String[] values = parameters.get(name);
    return values == null || values.length == 0 ? null : values[0];
  }

  private static @Nullable Long longParam(Map<String, String[]> parameters, String name) {
    String text = single(parameters, name);
    if (text == null) {
      return null;
    }
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw invalid(name, "'" + name + "' must be an integer, was '" + text + "'");
    }
  }

  private static @Nullable Instant timeParam(Map<String, String[]> parameters, String name) {
    return time(name, single(parameters, name));
  }

  private static @Nullable Instant time(String name, @Nullable String text) {
    if (text == null) {
      return null;
    }
    try {
      return EventTime.parse(text).instant();
    } catch (EvidentSourceException e) {
      throw invalid(
          name,
          "'"
              + name
              + "' must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, was '"
              + text
              + "'");
    }
  }

  private static Direction direction(@Nullable String text) {
    if (text == null || text.equals("forward")) {
      return Direction.FORWARD;
    }
    if (text.equals("backward")) {
      return Direction.BACKWARD;
    }
    throw invalid("direction", "'direction' must be forward or backward, was '" + text + "'");
  }

  private static Order order(@Nullable String text) {
    if (text == null || text.equals("revision")) {
      return Order.REVISION;
    }
    if (text.equals("effective_time")) {
      return Order.EFFECTIVE_TIME;
    }
    throw invalid("order", "'order' must be revision or effective_time, was '" + text + "'");
  }

  private static @Nullable Long longMember(JsonNode body, String name) {
    JsonNode value = body.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw invalid(name, "'" + name + "' must be an integer, was " + value);
    }
    return value.longValue();
  }

  private static @Nullable String stringMember(JsonNode body, String name) {
    JsonNode value = body.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      throw invalid(name, "'" + name + "' must be a string, was " + value);
    }
    return value.stringValue();
  }

  private static long orDefault(@Nullable Long value, long fallback) {
    return value == null ? fallback : value;
  }

  private static List<String> sorted() {
    return sorted(GET_PARAMETERS);
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  private static EvidentSourceException invalid(String parameter, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_QUERY, detail, Map.of("parameter", parameter));
  }
}
