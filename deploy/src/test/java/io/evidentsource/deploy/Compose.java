package io.evidentsource.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** {@code docker/compose.yaml} as data (YAML anchors resolved). */
record Compose(Map<String, Object> document) {

  static Compose read() {
    try (Reader in = Files.newBufferedReader(Repo.path("docker/compose.yaml"))) {
      Map<String, Object> document = new Yaml(new LoaderOptions()).load(in);
      return new Compose(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> service(String name) {
    var services = (Map<String, Object>) document.get("services");
    var service = (Map<String, Object>) services.get(name);
    if (service == null) {
      throw new IllegalStateException("compose.yaml has no service " + name);
    }
    return service;
  }

  @SuppressWarnings("unchecked")
  List<String> serviceNames() {
    return List.copyOf(((Map<String, Object>) document.get("services")).keySet());
  }

  /** A service's environment, values as strings. */
  @SuppressWarnings("unchecked")
  Map<String, String> environment(String service) {
    var env = new LinkedHashMap<String, String>();
    var declared = (Map<String, Object>) service(service).get("environment");
    if (declared != null) {
      declared.forEach((k, v) -> env.put(k, String.valueOf(v)));
    }
    return env;
  }

  @SuppressWarnings("unchecked")
  List<String> list(String service, String key) {
    Object value = service(service).get(key);
    return value == null ? List.of() : (List<String>) value;
  }
}
