package io.evidentsource.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.evidentsource.core.component.StateViewResult;
import io.evidentsource.core.error.EvidentSourceException;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The JSON envelope of a state view read (docs/wasm-abi.md, "Host imports"), the one shape both the
 * REST read ({@code GET .../state-views/{name}}, which answers the {@link Envelope} record) and a
 * guest's {@code view_state} import ({@link #toJsonBytes}) get:
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

  /**
   * The envelope as a record: where and when the view was read, and its state.
   *
   * @param database the database read
   * @param name the view's name
   * @param version the view version that folded the state
   * @param revision the revision the read is consistent at
   * @param lastModifiedRevision the highest revision folded into the state, 0 when none
   * @param lastModifiedTime its recorded time (RFC 3339, UTC, full precision), or null when none
   * @param contentType the view's content type
   * @param content the state: inline JSON, null, or base64 text (see the class comment)
   */
  public record Envelope(
      @JsonProperty("database") String database,
      @JsonProperty("name") String name,
      @JsonProperty("version") int version,
      @JsonProperty("revision") long revision,
      @JsonProperty("last_modified_revision") long lastModifiedRevision,
      @JsonProperty("last_modified_time") @Nullable String lastModifiedTime,
      @JsonProperty("content_type") String contentType,
      @JsonProperty("content") JsonNode content) {

    /** The envelope of a read. */
    public static Envelope of(StateViewResult result) {
      var lastModifiedTime = result.lastModifiedTime();
      return new Envelope(
          result.database().value(),
          result.name(),
          result.version(),
          result.revision(),
          result.lastModifiedRevision(),
          lastModifiedTime == null ? null : lastModifiedTime.toString(),
          result.contentType(),
          inlineOrBase64(result.contentType(), result.content()));
    }
  }

  /** The envelope as compact UTF-8 JSON bytes, as {@code view_state} hands it to a guest. */
  public static byte[] toJsonBytes(StateViewResult result) {
    return JsonSupport.mapper().writeValueAsBytes(Envelope.of(result));
  }

  /** Content inline when JSON (and parseable), null when JSON and empty, else base64 text. */
  private static JsonNode inlineOrBase64(String contentType, byte[] content) {
    if (CloudEventJson.isJsonMediaType(contentType)) {
      if (content.length == 0) {
        return JsonNodeFactory.instance.nullNode();
      }
      try {
        return JsonSupport.parse(content);
      } catch (EvidentSourceException notJson) {
        // a view that declares JSON but produced other bytes: show them as base64
      }
    }
    return JsonNodeFactory.instance.stringNode(Base64.getEncoder().encodeToString(content));
  }
}
