package io.evidentsource.server.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.config.WasmProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/server}: the server's version, the Spring profiles in force (the storage
 * profile among them) and the limits a client must stay within, so a client (the web UI's Overview
 * among them) can show them without reading configuration.
 */
@RestController
class ServerController {
  private final ServerInfo info;

  ServerController(
      EvidentSourceProperties properties,
      WasmProperties wasm,
      Environment environment,
      ObjectProvider<BuildProperties> build) {
    var b = build.getIfAvailable();
    var profiles = environment.getActiveProfiles();
    var limits = new LinkedHashMap<String, Long>();
    limits.put("max_event_bytes", (long) properties.maxEventBytes());
    limits.put("max_batch_events", (long) properties.maxBatchEvents());
    limits.put("max_attribute_bytes", (long) properties.maxAttributeBytes());
    limits.put("max_request_bytes", properties.maxRequestBytes().toBytes());
    limits.put("max_bulk_bytes", properties.maxBulkBytes().toBytes());
    limits.put("max_page_size", (long) EventQuery.MAX_LIMIT);
    limits.put("contention_timeout_ms", properties.contentionTimeout().toMillis());
    limits.put("wasm_max_module_bytes", wasm.maxModuleBytes().toBytes());
    limits.put("wasm_max_memory_bytes", wasm.maxMemoryBytes().toBytes());
    limits.put("wasm_max_output_bytes", wasm.maxOutputBytes().toBytes());
    limits.put("wasm_call_timeout_ms", wasm.callTimeout().toMillis());
    this.info =
        new ServerInfo(
            b == null || b.getVersion() == null ? "unknown" : b.getVersion(),
            List.of(profiles.length > 0 ? profiles : environment.getDefaultProfiles()),
            java.util.Collections.unmodifiableMap(limits));
  }

  @GetMapping("/api/v1/server")
  ServerInfo server() {
    return info;
  }

  /**
   * @param version the server's version, e.g. {@code 0.1.0}
   * @param profiles the Spring profiles in force, e.g. {@code ["memory"]} or {@code
   *     ["dynamodb-sns", "prod"]}
   * @param limits each limit by name: sizes in bytes, timeouts in milliseconds ({@code _ms}),
   *     counts as numbers
   */
  record ServerInfo(
      @JsonProperty("version") String version,
      @JsonProperty("profiles") List<String> profiles,
      @JsonProperty("limits") Map<String, Long> limits) {}
}
