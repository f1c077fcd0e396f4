package io.evidentsource.server.security;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.server.problem.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps web pages from using a server they were not served by, also while security is off: a {@code
 * Host} the server does not answer to (DNS rebinding) and a state-changing request (any method but
 * GET, HEAD and OPTIONS) from another origin (cross-site request forgery, e.g. a page posting a
 * component or a {@code text/plain} command to a server on localhost) are refused with 403 {@code
 * forbidden_origin}. A request's origin is its {@code Origin} header, or, without one, the
 * browser's {@code Sec-Fetch-Site}; clients that are not browsers send neither and pass.
 */
final class OriginCheck extends OncePerRequestFilter {
  static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  private final List<String> allowedHosts;
  private final boolean anyHost;
  private final List<String> allowedOrigins;
  private final JsonMapper json;

  OriginCheck(SecurityProperties properties, JsonMapper json) {
    this.json = json;
    this.allowedOrigins =
        properties.allowedOrigins().stream().map(o -> authority(o)).filter(o -> o != null).toList();
    if (properties.allowedHosts().isEmpty()) {
      this.anyHost = properties.enabled();
      this.allowedHosts = List.copyOf(LOOPBACK);
    } else {
      this.anyHost = properties.allowedHosts().contains("*");
      this.allowedHosts = properties.allowedHosts();
    }
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String host = request.getHeader(HttpHeaders.HOST);
    String hostName = host == null ? "" : hostName(host);
    if (!anyHost && !allowedHosts.contains(hostName)) {
      refuse(
          request,
          response,
          "this server does not answer to the host name '"
              + hostName
              + "'; add it to evidentsource.security.allowed-hosts (now "
              + String.join(",", allowedHosts)
              + ")",
          Map.of("host", hostName));
      return;
    }
    if (!SAFE.contains(request.getMethod())) {
      String origin = request.getHeader(HttpHeaders.ORIGIN);
      if (origin != null) {
        String from = authority(origin);
        boolean sameOrigin =
            from != null && host != null && from.equals(host.toLowerCase(Locale.ROOT));
        if (!sameOrigin && (from == null || !allowedOrigins.contains(from))) {
          refuse(
              request,
              response,
              "a page of "
                  + origin
                  + " may not send "
                  + request.getMethod()
                  + " requests to this server; allow its origin in"
                  + " evidentsource.security.allowed-origins",
              Map.of("origin", origin));
          return;
        }
      } else {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && (site.equals("cross-site") || site.equals("same-site"))) {
          refuse(
              request,
              response,
              "a page of another site may not send " + request.getMethod() + " requests here",
              Map.of());
          return;
        }
      }
    }
    chain.doFilter(request, response);
  }

  private void refuse(
      HttpServletRequest request,
      HttpServletResponse response,
      String detail,
      Map<String, Object> fields)
      throws IOException {
    ProblemResponses.write(
        response,
        json,
        ErrorCode.FORBIDDEN_ORIGIN,
        detail,
        fields,
        request.getRequestURI(),
        new HttpHeaders());
  }

  /** {@code example.com} of {@code example.com:8080}, {@code [::1]} of {@code [::1]:8080}. */
  static String hostName(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  /**
   * {@code host[:port]} of an origin, as a {@code Host} header would carry it (the default port of
   * the scheme left out), or null when it is not an http(s) origin ({@code null}, a file).
   */
  static @Nullable String authority(String origin) {
    try {
      URI uri = URI.create(origin.strip());
      String scheme = uri.getScheme();
      if (scheme == null || uri.getHost() == null) {
        return null;
      }
      int port = uri.getPort();
      boolean defaultPort =
          port == -1
              || (scheme.equalsIgnoreCase("http") && port == 80)
              || (scheme.equalsIgnoreCase("https") && port == 443);
      String host = uri.getHost().toLowerCase(Locale.ROOT);
      return defaultPort ? host : host + ":" + port;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
