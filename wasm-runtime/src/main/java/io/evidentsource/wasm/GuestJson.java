package io.evidentsource.wasm;

import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.DecideMetadata;
import io.evidentsource.core.component.DecideResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.ConditionJson;
import io.evidentsource.json.JsonSupport;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The JSON the host and guests exchange (docs/wasm-abi.md#the-contract): inputs written, outputs
 * read.
 */
final class GuestJson {
  private GuestJson() {}

  /** A JSON object of string parameters. */
  static byte[] params(Map<String, String> params) {
    var node = JsonSupport.mapper().createObjectNode();
    new java.util.TreeMap<>(params).forEach(node::put);
    return JsonSupport.compact(node);
  }

  /** Parameters a guest passes to {@code view_state}: a JSON object; values become text. */
  static Map<String, String> readParams(byte[] json) {
    var params = new LinkedHashMap<String, String>();
    if (json.length == 0) {
      return params;
    }
    var node = JsonSupport.parse(json);
    if (!node.isObject()) {
      throw new EvidentSourceException(
          ErrorCode.COMPONENT_FAILED, "view_state params must be a JSON object");
    }
    for (var entry : node.properties()) {
      var v = entry.getValue();
      params.put(entry.getKey(), v.isString() ? v.stringValue() : v.toString());
    }
    return params;
  }

  /** {@code {content_type, headers, body}}; a JSON body inline, any other as UTF-8 text. */
  static byte[] command(Command command) {
    var node = JsonSupport.mapper().createObjectNode();
    node.put("content_type", command.contentType());
    var headers = node.putObject("headers");
    new java.util.TreeMap<>(command.headers()).forEach(headers::put);
    var body = command.body();
    if (CloudEventJson.isJsonMediaType(command.contentType()) && body.length > 0) {
      node.set("body", JsonSupport.parse(body));
    } else {
      node.put("body", new String(body, StandardCharsets.UTF_8));
    }
    return JsonSupport.compact(node);
  }

  /**
   * {@code {database, basis_revision, effective_time, principal, correlation_id, causation_id}}.
   */
  static byte[] metadata(DecideMetadata m) {
    var node = JsonSupport.mapper().createObjectNode();
    node.put("database", m.database().value());
    node.put("basis_revision", m.basisRevision());
    node.put("effective_time", m.effectiveTime().toString());
    node.put("principal", m.principal());
    node.put("correlation_id", m.correlationId());
    node.put("causation_id", m.causationId());
    return JsonSupport.compact(node);
  }

  /**
   * Reads {@code {"events":[...],"conditions":[...]}} or {@code {"rejection":{code,message}}}.
   *
   * @throws EvidentSourceException {@code COMPONENT_FAILED} naming what is malformed
   */
  static DecideResult decision(byte[] json, String component) {
    JsonNode node;
    try {
      node = JsonSupport.parse(json);
    } catch (EvidentSourceException e) {
      throw malformed(component, "its output is not JSON: " + e.getMessage());
    }
    if (!node.isObject()) {
      throw malformed(component, "its output must be a JSON object");
    }
    var rejection = node.get("rejection");
    if (rejection != null && !rejection.isNull()) {
      var code = rejection.get("code");
      var message = rejection.get("message");
      if (code == null || !code.isString()) {
        throw malformed(component, "'rejection.code' must be a string");
      }
      return new DecideResult.Rejection(
          code.stringValue(),
          message != null && message.isString() ? message.stringValue() : code.stringValue());
    }
    var eventsNode = node.get("events");
    if (eventsNode == null || !eventsNode.isArray()) {
      throw malformed(component, "its output needs an 'events' array or a 'rejection'");
    }
    List<Event> events;
    List<AppendCondition> conditions;
    try {
      events = CloudEventJson.readEvents(eventsNode, "event_index");
      var conditionsNode = node.get("conditions");
      conditions =
          conditionsNode == null || conditionsNode.isNull()
              ? List.of()
              : ConditionJson.readList(conditionsNode, "conditions");
    } catch (EvidentSourceException e) {
      throw malformed(component, e.getMessage());
    }
    return new DecideResult.Decision(events, conditions);
  }

  private static EvidentSourceException malformed(String component, String detail) {
    return new EvidentSourceException(
        ErrorCode.COMPONENT_FAILED,
        "component " + component + " returned a malformed decision: " + detail,
        Map.of("component", component));
  }
}
