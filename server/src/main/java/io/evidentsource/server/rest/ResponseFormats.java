package io.evidentsource.server.rest;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/** Chooses among the media types an endpoint can produce from the {@code Accept} header. */
final class ResponseFormats {
  private ResponseFormats() {}

  /**
   * The first of {@code offered} that the client accepts, trying the client's types by quality
   * (highest first, in the order sent among equals); an exact match wins over a wildcard, and among
   * wildcard matches the first offered type wins. No {@code Accept} header accepts all.
   *
   * @throws EvidentSourceException 406 {@code not_acceptable} when none is accepted
   */
  static MediaType choose(HttpServletRequest request, MediaType... offered) {
    String header = request.getHeader(HttpHeaders.ACCEPT);
    if (header == null || header.isBlank()) {
      return offered[0];
    }
    List<MediaType> accepted;
    try {
      accepted = new ArrayList<>(MediaType.parseMediaTypes(header));
    } catch (InvalidMediaTypeException e) {
      throw notAcceptable(header, offered);
    }
    accepted.sort(Comparator.comparingDouble(MediaType::getQualityValue).reversed());
    for (MediaType wanted : accepted) {
      if (wanted.getQualityValue() <= 0) {
        continue;
      }
      for (MediaType candidate : offered) {
        if (wanted.getType().equalsIgnoreCase(candidate.getType())
            && wanted.getSubtype().equalsIgnoreCase(candidate.getSubtype())) {
          return candidate;
        }
      }
      for (MediaType candidate : offered) {
        if (wanted.includes(candidate)) {
          return candidate;
        }
      }
    }
    throw notAcceptable(header, offered);
  }

  private static EvidentSourceException notAcceptable(String header, MediaType... offered) {
    return new EvidentSourceException(
        ErrorCode.NOT_ACCEPTABLE,
        "this resource is available as "
            + List.of(offered)
            + ", but the request accepts only "
            + header,
        Map.of("accept", header));
  }
}
