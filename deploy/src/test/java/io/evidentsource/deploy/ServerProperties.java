package io.evidentsource.deploy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every configuration property the server has: the Spring Boot configuration metadata of the server
 * and of each library in its jar (what {@code @ConfigurationProperties} and the auto-configurations
 * bind), plus the keys of its {@code application.properties}. Tells which property an environment
 * variable sets, by Spring Boot's own relaxed binding rules.
 */
final class ServerProperties {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static ServerProperties loaded;

  /** Property name → its type in the metadata ("" when it comes from application.properties). */
  private final Map<String, String> properties;

  private final Properties applicationProperties;

  private ServerProperties(Map<String, String> properties, Properties applicationProperties) {
    this.properties = properties;
    this.applicationProperties = applicationProperties;
  }

  static synchronized ServerProperties of() {
    if (loaded == null) {
      loaded = read(Repo.serverJar());
    }
    return loaded;
  }

  /** The server's default for a property, from its {@code application.properties}. */
  String defaultValue(String property) {
    String value = applicationProperties.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(property + " is not in the server's application.properties");
    }
    return value;
  }

  /**
   * The property an environment variable sets (e.g. {@code EVIDENTSOURCE_DYNAMODB_TABLE_PREFIX} →
   * {@code evidentsource.dynamodb.table-prefix}), if it sets one; a variable under a map-typed
   * property (e.g. {@code LOGGING_LEVEL_ROOT}) names that property.
   */
  Optional<String> propertyOf(String environmentVariable) {
    var source =
        ConfigurationPropertySource.from(
            new SystemEnvironmentPropertySource(
                "env", Map.<String, Object>of(environmentVariable, "value")));
    for (var e : properties.entrySet()) {
      var name = ConfigurationPropertyName.of(e.getKey());
      if (source.getConfigurationProperty(name) != null) {
        return Optional.of(e.getKey());
      }
      if (e.getValue().startsWith("java.util.Map<")
          && source instanceof IterableConfigurationPropertySource iterable) {
        for (ConfigurationPropertyName bound : iterable) {
          if (name.isAncestorOf(bound)) {
            return Optional.of(e.getKey());
          }
        }
      }
    }
    return Optional.empty();
  }

  boolean exists(String property) {
    return properties.containsKey(property);
  }

  private static ServerProperties read(Path jar) {
    var properties = new TreeMap<String, String>();
    var applicationProperties = new Properties();
    try (var file = new JarFile(jar.toFile())) {
      for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
        String name = entry.getName();
        if (name.equals("BOOT-INF/classes/application.properties")) {
          try (InputStream in = file.getInputStream(entry)) {
            applicationProperties.load(in);
          }
        } else if (isMetadata(name)) {
          try (InputStream in = file.getInputStream(entry)) {
            addMetadata(in.readAllBytes(), properties);
          }
        } else if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar")) {
          try (var lib = new JarInputStream(file.getInputStream(entry))) {
            for (var inner = lib.getNextJarEntry(); inner != null; inner = lib.getNextJarEntry()) {
              if (isMetadata(inner.getName())) {
                addMetadata(lib.readAllBytes(), properties);
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + jar, e);
    }
    for (String key : applicationProperties.stringPropertyNames()) {
      properties.putIfAbsent(key, "");
    }
    if (!properties.containsKey("evidentsource.max-batch-events")) {
      throw new IllegalStateException(
          "the server's own configuration metadata is missing from " + jar);
    }
    return new ServerProperties(properties, applicationProperties);
  }

  private static boolean isMetadata(String name) {
    return name.endsWith("META-INF/spring-configuration-metadata.json")
        || name.endsWith("META-INF/additional-spring-configuration-metadata.json");
  }

  private static void addMetadata(byte[] json, Map<String, String> properties) {
    JsonNode root = JSON.readTree(new ByteArrayInputStream(json));
    for (JsonNode p : root.path("properties")) {
      properties.put(p.path("name").asString(), p.path("type").asString(""));
    }
  }
}
