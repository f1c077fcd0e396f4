package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.model.EventLimits;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.port.StorageCapabilities;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.config.WasmProperties;
import io.evidentsource.storage.local.LocalComponentRegistry;
import io.evidentsource.storage.local.LocalStorage;
import io.evidentsource.storage.local.LocalStorageAdapter;
import io.evidentsource.storage.local.SyncMode;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.util.unit.DataSize;

/** The application's defaults, with no test overrides and no active profile. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class ConfigurationTest {
  @Autowired EvidentSourceProperties properties;
  @Autowired EventStore store;
  @Autowired Storage storage;
  @Autowired Environment environment;
  @Autowired WasmProperties wasm;
  @Autowired LocalStorage local;

  @Test
  void limits_default_to_the_design() {
    assertThat(properties.maxEventBytes()).isEqualTo(65536);
    assertThat(properties.maxBatchEvents()).isEqualTo(25);
    assertThat(properties.maxAttributeBytes()).isEqualTo(1024);
    assertThat(properties.contentionTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(properties.maxRequestBytes()).isEqualTo(DataSize.ofMegabytes(1));
    assertThat(properties.maxBulkBytes()).isEqualTo(DataSize.ofMegabytes(256));
    assertThat(store.validator().limits()).isEqualTo(EventLimits.defaults());
  }

  @Test
  void refuses_limits_outside_what_the_core_allows_naming_the_property() {
    Duration second = Duration.ofSeconds(1);
    DataSize oneMb = DataSize.ofMegabytes(1);
    DataSize twoMb = DataSize.ofMegabytes(2);
    assertThatThrownBy(() -> new EvidentSourceProperties(65536, 99, 1024, second, oneMb, twoMb))
        .hasMessageContaining("evidentsource.max-batch-events");
    assertThatThrownBy(() -> new EvidentSourceProperties(512, 25, 1024, second, oneMb, twoMb))
        .hasMessageContaining("evidentsource.max-event-bytes");
    assertThatThrownBy(
            () -> new EvidentSourceProperties(65536, 25, 1024, Duration.ZERO, oneMb, twoMb))
        .hasMessageContaining("evidentsource.contention-timeout");
    assertThatThrownBy(() -> new EvidentSourceProperties(65536, 25, 1024, second, twoMb, oneMb))
        .hasMessageContaining("evidentsource.max-bulk-bytes");
  }

  @Test
  void the_fold_cache_is_bounded_by_64_mib_and_10000_folds_by_default() {
    assertThat(wasm.foldCacheBytes()).isEqualTo(DataSize.ofMegabytes(64));
    assertThat(wasm.cacheEntries()).isEqualTo(10000);
  }

  @Test
  void refuses_a_negative_fold_cache_bound_naming_the_property() {
    var second = Duration.ofSeconds(1);
    var mb = DataSize.ofMegabytes(1);
    assertThatThrownBy(
            () ->
                new WasmProperties(
                    mb,
                    mb,
                    second,
                    mb,
                    1000,
                    mb,
                    64,
                    8,
                    true,
                    second,
                    3,
                    10,
                    DataSize.ofBytes(-1),
                    Duration.ofSeconds(60),
                    null,
                    DataSize.ofKilobytes(64),
                    100))
        .hasMessageContaining("evidentsource.wasm.fold-cache-bytes");
    assertThatThrownBy(
            () ->
                new WasmProperties(
                    mb,
                    mb,
                    second,
                    mb,
                    1000,
                    mb,
                    64,
                    8,
                    true,
                    second,
                    3,
                    -1,
                    mb,
                    Duration.ofSeconds(60),
                    null,
                    DataSize.ofKilobytes(64),
                    100))
        .hasMessageContaining("evidentsource.wasm.cache-entries");
  }

  @Test
  void guest_pools_memory_and_logging_have_defaults_and_bad_values_are_named() {
    assertThat(wasm.poolIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(wasm.maxTotalMemoryBytes()).isNull();
    assertThat(wasm.totalMemoryBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
    assertThat(wasm.maxLogBytesPerCall()).isEqualTo(DataSize.ofKilobytes(64));
    assertThat(wasm.maxLogLinesPerSecond()).isEqualTo(100);
    assertThat(bindWasm(Map.of("max-total-memory-bytes", "256MB")).totalMemoryBytes())
        .isEqualTo(256L << 20);
    for (var bad :
        List.of(
            Map.entry("pool-idle-timeout", "0s"),
            Map.entry("max-total-memory-bytes", "1KB"),
            Map.entry("max-log-bytes-per-call", "-1B"),
            Map.entry("max-log-lines-per-second", "-1"))) {
      assertThatThrownBy(() -> bindWasm(Map.of(bad.getKey(), bad.getValue())))
          .rootCause()
          .hasMessageContaining("evidentsource.wasm." + bad.getKey());
    }
  }

  /** Binds {@code evidentsource.wasm.*} from {@code values} (relative names) as the server does. */
  private static WasmProperties bindWasm(Map<String, String> values) {
    var prefixed = new HashMap<String, String>();
    values.forEach((name, value) -> prefixed.put("evidentsource.wasm." + name, value));
    return new Binder(new MapConfigurationPropertySource(prefixed))
        .bindOrCreate("evidentsource.wasm", WasmProperties.class);
  }

  @Test
  void warms_modules_up_with_three_calls_within_30_s_by_default_and_names_bad_values() {
    assertThat(wasm.warmUpCalls()).isEqualTo(3);
    assertThat(wasm.warmUpTimeout()).isEqualTo(Duration.ofSeconds(30));
    var second = Duration.ofSeconds(1);
    var mb = DataSize.ofMegabytes(1);
    assertThatThrownBy(
            () ->
                new WasmProperties(
                    mb,
                    mb,
                    second,
                    mb,
                    1000,
                    mb,
                    64,
                    8,
                    true,
                    second,
                    -1,
                    10,
                    mb,
                    Duration.ofSeconds(60),
                    null,
                    DataSize.ofKilobytes(64),
                    100))
        .hasMessageContaining("evidentsource.wasm.warm-up-calls");
    assertThatThrownBy(
            () ->
                new WasmProperties(
                    mb,
                    mb,
                    second,
                    mb,
                    1000,
                    mb,
                    64,
                    8,
                    true,
                    Duration.ZERO,
                    3,
                    10,
                    mb,
                    Duration.ofSeconds(60),
                    null,
                    DataSize.ofKilobytes(64),
                    100))
        .hasMessageContaining("evidentsource.wasm.warm-up-timeout");
  }

  @Test
  void the_durable_local_profile_is_the_default_with_data_in_dot_data_synced_always()
      throws IOException {
    assertThat(environment.getActiveProfiles()).isEmpty();
    assertThat(environment.getDefaultProfiles()).containsExactly("local");
    assertThat(storage.log()).isInstanceOf(LocalStorageAdapter.class);
    assertThat(storage.components()).isInstanceOf(LocalComponentRegistry.class);
    assertThat(storage.capabilities())
        .isEqualTo(new StorageCapabilities(StorageCapabilities.Notifications.PUSH, false));
    // the application's own settings (the tests point the data directory under target/)
    var application =
        PropertiesLoaderUtils.loadProperties(new ClassPathResource("application.properties"));
    assertThat(application.getProperty("evidentsource.local.data-dir")).isEqualTo("./data");
    assertThat(application.getProperty("evidentsource.local.sync")).isEqualTo("always");
    assertThat(local.options().sync()).isEqualTo(SyncMode.ALWAYS);
    assertThat(local.dataDir()).isDirectory();
  }

  @Test
  void listens_on_loopback_port_8080_by_default() {
    assertThat(environment.getProperty("server.address")).isEqualTo("127.0.0.1");
    assertThat(environment.getProperty("server.port")).isEqualTo("8080");
  }
}
