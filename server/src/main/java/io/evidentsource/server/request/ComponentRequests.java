package io.evidentsource.server.request;

import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The request rules that REST ({@code rest.ComponentController}) and gRPC ({@code
 * grpc.EvidentSourceGrpcService}) share for state views and state changes, so both refuse the same
 * input with the same code.
 */
public final class ComponentRequests {
  /** Request headers never passed to a state change. */
  private static final Set<String> PRIVATE_HEADERS =
      Set.of("authorization", "cookie", "x-api-key", "proxy-authorization");

  private ComponentRequests() {}

  /**
   * A view definition from publish metadata.
   *
   * @param temporality the JSON name ({@code revision}, {@code effective}), or null for revision
   */
  public static StateViewDefinition viewDefinition(
      String name,
      @Nullable String description,
      String contentType,
      @Nullable String contentSchema,
      EventSelector selector,
      @Nullable String temporality) {
    try {
      return new StateViewDefinition(
          name,
          description,
          contentType,
          contentSchema,
          selector,
          temporality == null ? QueryTemporality.REVISION : QueryTemporality.fromJson(temporality));
    } catch (IllegalArgumentException e) {
      throw malformed(e.getMessage(), "query_temporality");
    }
  }

  /** Command headers as the component sees them: names lower-cased, credentials left out. */
  public static Map<String, String> commandHeaders(Map<String, String> headers) {
    var out = new LinkedHashMap<String, String>();
    headers.forEach(
        (name, value) -> {
          var lower = name.toLowerCase(Locale.ROOT);
          if (!PRIVATE_HEADERS.contains(lower)) {
            out.put(lower, value);
          }
        });
    return out;
  }

  /**
   * Refuses a command body that declares JSON but is not: the client's error, not the component's.
   */
  public static void checkCommandBody(String contentType, byte[] body) {
    if (CloudEventJson.isJsonMediaType(contentType) && body.length > 0) {
      JsonSupport.parse(body);
    }
  }

  /**
   * The idempotency key of a command's transaction, or null when none was given.
   *
   * @param what how the error names it, e.g. "the Idempotency-Key header"
   */
  public static @Nullable UUID transactionId(@Nullable String text, String field, String what) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw malformed(
          what + " must be a UUID such as 0b6f5a52-8d1c-4c3e-9f2a-7e4b1d9c6a10, was '" + text + "'",
          field);
    }
  }

  /** A 400 {@code malformed_request} error naming the request {@code field}. */
  public static EvidentSourceException malformed(@Nullable String detail, String field) {
    return new EvidentSourceException(
        ErrorCode.MALFORMED_REQUEST, String.valueOf(detail), Map.of("field", field));
  }
}
