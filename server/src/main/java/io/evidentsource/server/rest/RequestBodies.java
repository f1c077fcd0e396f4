package io.evidentsource.server.rest;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.server.request.BodyLimits;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/** Reads request bodies within a size limit and checks their content types. */
final class RequestBodies {
  private RequestBodies() {}

  /**
   * Reads the whole body, refusing it with 413 {@code body_too_large} as soon as it is known to
   * exceed {@code limit} bytes (from {@code Content-Length}, or while reading a chunked body).
   *
   * @param limitName the configuration property of the limit, named in the error
   */
  static byte[] read(HttpServletRequest request, long limit, String limitName) {
    checkDeclaredLength(request, limit, limitName);
    try (InputStream in = request.getInputStream()) {
      long declared = request.getContentLengthLong();
      if (declared >= 0 && declared < Integer.MAX_VALUE - 8) {
        // the common case: the declared length (within the limit), read into one array
        byte[] body = new byte[(int) declared];
        int read = in.readNBytes(body, 0, body.length);
        return read == body.length ? body : Arrays.copyOf(body, read);
      }
      var out = new ByteArrayOutputStream(256);
      byte[] buffer = new byte[8192];
      long total = 0;
      int n;
      while ((n = in.read(buffer)) != -1) {
        total += n;
        if (total > limit) {
          throw BodyLimits.tooLarge(limit, limitName, null);
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the request body failed", e);
    }
  }

  /** Refuses a body whose declared {@code Content-Length} exceeds the limit. */
  static void checkDeclaredLength(HttpServletRequest request, long limit, String limitName) {
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      throw BodyLimits.tooLarge(limit, limitName, declared);
    }
  }

  /** The request's media type, or null when it has no {@code Content-Type}. */
  static @Nullable MediaType contentType(HttpServletRequest request) {
    String header = request.getContentType();
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      return MediaType.parseMediaType(header);
    } catch (InvalidMediaTypeException e) {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type '" + header + "' is not a valid media type",
          Map.of("content_type", header));
    }
  }

  /** Requires a JSON body: {@code application/json}, any {@code +json} type, or none declared. */
  static void requireJson(HttpServletRequest request) {
    MediaType type = contentType(request);
    if (type != null && !CloudEventJson.isJsonMediaType(type.toString())) {
      throw new EvidentSourceException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "this endpoint takes a JSON body (Content-Type: application/json), not '" + type + "'",
          Map.of("content_type", type.toString()));
    }
  }
}
