package io.evidentsource.server.rest;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.json.BinaryModeData;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CloudEvents HTTP protocol binding 1.0, binary content mode (§3.1): context attributes and
 * extensions travel as {@code ce-} headers whose values are percent-decoded (§3.1.3.2; a {@code +}
 * stays a plus), {@code Content-Type} is the {@code datacontenttype}, and the body is the data,
 * read as the Kafka ingress reads a record's value ({@link BinaryModeData}): JSON for a JSON media
 * type, text for {@code text/*}, bytes otherwise.
 */
final class BinaryModeEvents {
  static final String PREFIX = "ce-";

  private BinaryModeEvents() {}

  /** Whether the request carries any {@code ce-} header, i.e. is meant as binary mode. */
  static boolean isBinaryMode(HttpServletRequest request) {
    for (String name : Collections.list(request.getHeaderNames())) {
      if (name.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the event of a binary-mode request.
   *
   * @throws EvidentSourceException {@code MISSING_ATTRIBUTE}, {@code UNSUPPORTED_SPECVERSION},
   *     {@code INVALID_ATTRIBUTE} (naming the attribute and the header) or {@code MALFORMED_JSON}
   */
  static Event read(HttpServletRequest request, byte[] body) {
    var attributes = new LinkedHashMap<String, String>();
    for (String name : Collections.list(request.getHeaderNames())) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.startsWith(PREFIX)) {
        continue;
      }
      String attribute = lower.substring(PREFIX.length());
      List<String> values = Collections.list(request.getHeaders(name));
      if (values.size() != 1 || attributes.containsKey(attribute)) {
        throw invalid(attribute, "header '" + lower + "' must appear exactly once");
      }
      attributes.put(attribute, percentDecode(attribute, values.get(0)));
    }
    String specversion = attributes.remove("specversion");
    if (specversion == null) {
      throw new EvidentSourceException(
          ErrorCode.MISSING_ATTRIBUTE,
          "binary-mode CloudEvents need the header ce-specversion: 1.0",
          Map.of("attribute", "specversion", "header", "ce-specversion"));
    }
    if (!Event.SPEC_VERSION.equals(specversion)) {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_SPECVERSION,
          "specversion '" + specversion + "' is not supported; send ce-specversion: 1.0",
          Map.of("attribute", "specversion", "specversion", specversion));
    }
    if (attributes.containsKey("datacontenttype")) {
      throw invalid(
          "datacontenttype",
          "in binary mode the data content type is the Content-Type header; do not send"
              + " ce-datacontenttype (CloudEvents HTTP binding §3.1.1)");
    }
    var b = Event.builder();
    b.id(required(attributes, "id"));
    b.source(required(attributes, "source"));
    b.type(required(attributes, "type"));
    b.subject(attributes.remove("subject"));
    String time = attributes.remove("time");
    if (time != null) {
      b.time(EventTime.parse(time));
    }
    b.dataSchema(attributes.remove("dataschema"));
    attributes.forEach(b::extension);
    String contentType = request.getContentType();
    if (contentType != null && contentType.isBlank()) {
      contentType = null;
    }
    b.dataContentType(contentType);
    b.data(BinaryModeData.decode(contentType, body));
    return b.build();
  }

  private static String required(Map<String, String> attributes, String attribute) {
    String value = attributes.remove(attribute);
    if (value == null) {
      throw new EvidentSourceException(
          ErrorCode.MISSING_ATTRIBUTE,
          "required attribute '" + attribute + "' is missing (header ce-" + attribute + ")",
          Map.of("attribute", attribute, "header", PREFIX + attribute));
    }
    return value;
  }

  /**
   * Percent-decodes a header value as the HTTP binding requires: each {@code %XX} is one byte, the
   * bytes are UTF-8, and nothing else (not {@code +}) is special.
   */
  static String percentDecode(String attribute, String value) {
    if (value.indexOf('%') < 0 && value.chars().allMatch(c -> c < 0x80)) {
      return value;
    }
    var bytes = new ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        int hi = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
        int lo = i + 2 < value.length() ? Character.digit(value.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw invalid(
              attribute,
              "header 'ce-"
                  + attribute
                  + "' has an invalid percent-encoding at position "
                  + (i + 1)
                  + " (CloudEvents HTTP binding §3.1.3.2)");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c <= 0xFF) {
        bytes.write(c); // the container reads header bytes as ISO-8859-1
      } else {
        throw invalid(
            attribute, "header 'ce-" + attribute + "' has a character outside ISO-8859-1");
      }
    }
    return decodeUtf8(bytes.toByteArray(), attribute);
  }

  private static String decodeUtf8(byte[] bytes, String attribute) {
    try {
      return BinaryModeData.decodeStrictly(bytes, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw invalid(attribute, "'" + attribute + "' is not valid UTF-8");
    }
  }

  private static EvidentSourceException invalid(String attribute, String detail) {
    return new EvidentSourceException(
        ErrorCode.INVALID_ATTRIBUTE, detail, Map.of("attribute", attribute));
  }
}
