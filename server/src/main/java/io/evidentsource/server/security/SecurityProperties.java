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
 */
@ConfigurationProperties("evidentsource.security")
public record SecurityProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue List<ApiKey> apiKeys,
    @Nullable Path apiKeysFile,
    @DefaultValue("false") boolean publicMetrics) {

  public SecurityProperties {
    apiKeys = List.copyOf(apiKeys);
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
