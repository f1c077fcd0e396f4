package io.evidentsource.json;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.EventData;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The data of a CloudEvent sent in binary content mode, where the message body is the data and its
 * content type the {@code datacontenttype}: the HTTP binding's body with {@code Content-Type}
 * (CloudEvents HTTP binding 1.0 §3.1) and the Kafka binding's record value with the {@code
 * content-type} header (Kafka binding 1.0 §3.2). Both bindings read it the same way, here:
 *
 * <ul>
 *   <li>an empty body: no data ({@code null});
 *   <li>no content type: bytes ({@link EventData.Binary});
 *   <li>a JSON media type ({@link CloudEventJson#isJsonMediaType}): the JSON value, a JSON {@code
 *       null} meaning no data;
 *   <li>{@code text/*}: the text, decoded strictly in the {@code charset} parameter (UTF-8 when
 *       absent);
 *   <li>anything else: bytes.
 * </ul>
 */
public final class BinaryModeData {
  private BinaryModeData() {}

  /**
   * The data of a binary-mode event.
   *
   * @param contentType the media type with its parameters as sent (e.g. {@code text/plain;
   *     charset=ISO-8859-1}), or null when none was sent
   * @param body the body or record value, possibly empty
   * @return the data, or null for none
   * @throws EvidentSourceException {@code MALFORMED_JSON} when a JSON body does not parse; {@code
   *     INVALID_ATTRIBUTE} with {@code attribute = datacontenttype} when a text type names a
   *     charset this JVM does not know (the data cannot be read, so it is refused rather than kept
   *     as bytes), or with {@code attribute = data} when the text is not valid in its charset
   */
  public static @Nullable EventData decode(@Nullable String contentType, byte[] body) {
    if (body.length == 0) {
      return null;
    }
    if (contentType == null || contentType.isBlank()) {
      return new EventData.Binary(body);
    }
    if (CloudEventJson.isJsonMediaType(contentType)) {
      JsonNode node = JsonSupport.parse(body);
      return node.isNull() ? null : JsonSupport.jsonData(node);
    }
    if (essence(contentType).startsWith("text/")) {
      Charset charset = charset(contentType);
      return new EventData.Text(text(body, charset));
    }
    return new EventData.Binary(body);
  }

  /** The media type without its parameters, trimmed and in lower case. */
  private static String essence(String contentType) {
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.strip().toLowerCase(Locale.ROOT);
  }

  /** The {@code charset} parameter (quotes removed), UTF-8 when absent. */
  private static Charset charset(String contentType) {
    String[] parts = contentType.split(";", -1);
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i];
      int eq = parameter.indexOf('=');
      if (eq > 0 && parameter.substring(0, eq).strip().equalsIgnoreCase("charset")) {
        String name = parameter.substring(eq + 1).strip();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
          name = name.substring(1, name.length() - 1);
        }
        try {
          return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
          throw new EvidentSourceException(
              ErrorCode.INVALID_ATTRIBUTE,
              "unknown charset '" + name + "' in the content type '" + contentType + "'",
              Map.of("attribute", "datacontenttype", "charset", name));
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  /**
   * Decodes {@code bytes} in {@code charset}, refusing malformed or unmappable input where {@code
   * new String(bytes, charset)} would put replacement characters in.
   *
   * @throws CharacterCodingException when the bytes are not valid in the charset
   */
  public static String decodeStrictly(byte[] bytes, Charset charset)
      throws CharacterCodingException {
    return charset
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  private static String text(byte[] bytes, Charset charset) {
    try {
      return decodeStrictly(bytes, charset);
    } catch (CharacterCodingException e) {
      throw new EvidentSourceException(
          ErrorCode.INVALID_ATTRIBUTE,
          "the text data is not valid " + charset.name(),
          Map.of("attribute", "data", "charset", charset.name()));
    }
  }
}
