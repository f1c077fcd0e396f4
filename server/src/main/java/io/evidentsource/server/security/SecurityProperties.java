package io.evidentsource.server.security;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Authentication and authorization, bound from {@code evidentsource.security.*} (docs/security.md).
 *
 * @param enabled whether requests need an API key; off by default, when the server should listen on
 *     the loopback interface only (the {@code prod} profile turns it on)
 * @param apiKeys keys from configuration: {@code api-keys[N].name}, {@code api-keys[N].sha256}
 *     (lower-case hex SHA-256 of the key) and {@code api-keys[N].scopes}
 * @param apiKeysFile a file of further keys, one {@code name sha256 scope,scope,...} per line
 *     ({@code #} starts a comment), read again when it changes; null for none
 * @param publicMetrics whether the actuator endpoints other than health answer without the {@code
 *     admin} scope (for a scraper inside the network); health and readiness are always open
 * @param allowedHosts the host names ({@code Host} header, without the port) the server answers to,
 *     against DNS rebinding; {@code *} for any. Empty (the default): {@code localhost}, {@code
 *     127.0.0.1} and {@code [::1]} while security is off, any while it is on (a key is needed
 *     anyway). Other hosts get 403 {@code forbidden_origin}
 * @param allowedOrigins origins ({@code https://app.example.com}) whose pages may call the API: the
 *     CORS policy (off while empty, the default) and the origins besides the server's own that may
 *     send state-changing requests; any other cross-origin POST or DELETE gets 403 {@code
 *     forbidden_origin}, also while security is off
 */
@ConfigurationProperties("evidentsource.security")
public record SecurityProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue List<ApiKey> apiKeys,
    @Nullable Path apiKeysFile,
    @DefaultValue("false") boolean publicMetrics,
    @DefaultValue List<String> allowedHosts,
    @DefaultValue List<String> allowedOrigins) {

  public SecurityProperties {
    apiKeys = List.copyOf(apiKeys);
    allowedHosts =
        allowedHosts.stream().map(h -> h.strip().toLowerCase(java.util.Locale.ROOT)).toList();
    allowedOrigins = allowedOrigins.stream().map(String::strip).toList();
    for (String origin : allowedOrigins) {
      if (!origin.matches("https?://[^/\\s]+")) {
        throw new IllegalArgumentException(
            "evidentsource.security.allowed-origins holds scheme://host[:port] entries without a"
                + " path, e.g. https://app.example.com; was '"
                + origin
                + "'");
      }
    }
  }

  /** Keys only: no host or origin settings, no public metrics. */
  public static SecurityProperties keys(
      boolean enabled, List<ApiKey> apiKeys, @Nullable Path apiKeysFile) {
    return new SecurityProperties(enabled, apiKeys, apiKeysFile, false, List.of(), List.of());
  }

  /**
   * One key from configuration.
   *
   * @param name the principal recorded for its requests (letters, digits, {@code . _ @ -})
   * @param sha256 lower-case hex SHA-256 of the key (64 characters), e.g. from {@code printf %s
   *     "$KEY" | sha256sum}
   * @param scopes {@code admin}, {@code read:<pattern>}, {@code write:<pattern>}
   */
  public record ApiKey(String name, String sha256, @DefaultValue List<String> scopes) {
    public ApiKey {
      scopes = List.copyOf(scopes);
    }
  }
}
