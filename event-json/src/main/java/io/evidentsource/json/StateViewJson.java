package io.evidentsource.json;

import io.evidentsource.core.component.StateViewResult;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON envelope of a state view read (docs/wasm-abi.md, "Host imports"), the one shape both the
 * REST read ({@code GET .../state-views/{name}}) and a guest's {@code view_state} import get:
 *
 * <pre>{@code
 * {"database": "bank", "name": "balance", "version": 2, "revision": 41,
 *  "last_modified_revision": 40, "last_modified_time": "2026-03-04T05:06:07.123Z" | null,
 *  "content_type": "application/json", "content": <state>}
 * }</pre>
 *
 * {@code content} is the state inline when the view's content type is JSON ({@link
 * CloudEventJson#isJsonMediaType}) and the bytes parse, {@code null} when a JSON view has no state
 * yet, and otherwise the bytes as a base64 string.
 */
public final class StateViewJson {
  private StateViewJson() {}

  /** The envelope as a JSON tree. */
  public static ObjectNode envelope(StateViewResult result) {
    var node = JsonSupport.mapper().createObjectNode();
    node.put("database", result.database().value());
    node.put("name", result.name());
    node.put("version", result.version());
    node.put("revision", result.revision());
    node.put("last_modified_revision", result.lastModifiedRevision());
    var lastModifiedTime = result.lastModifiedTime();
    node.put("last_modified_time", lastModifiedTime == null ? null : lastModifiedTime.toString());
    node.put("content_type", result.contentType());
    node.set("content", content(result.contentType(), result.content()));
    return node;
  }

  /** The envelope as compact UTF-8 JSON bytes. */
  public static byte[] toJsonBytes(StateViewResult result) {
    return JsonSupport.compact(envelope(result));
  }

  /** Content inline when JSON (and parseable), null when JSON and empty, else base64 text. */
  private static JsonNode content(String contentType, byte[] content) {
    if (CloudEventJson.isJsonMediaType(contentType)) {
      if (content.length == 0) {
        return JsonSupport.mapper().nullNode();
      }
      try {
        return JsonSupport.parse(content);
      } catch (EvidentSourceException notJson) {
        // a view that declares JSON but produced other bytes: show them as base64
      }
    }
    return JsonSupport.mapper()
        .getNodeFactory()
        .stringNode(Base64.getEncoder().encodeToString(content));
  }
}
