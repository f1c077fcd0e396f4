package io.evidentsource.server.config;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The in-memory storage of the {@code memory} profile, bound from {@code evidentsource.memory.*}.
 *
 * @param maxBytes the budget for stored events, in estimated heap bytes (docs/limits.md#storage);
 *     an append that would go beyond it is refused with 507 {@code storage_full} and reads keep
 *     working. Unset: half of the JVM's maximum heap ({@code -Xmx}), leaving the rest for indexes
 *     of queries in flight, components and the server itself
 */
@ConfigurationProperties("evidentsource.memory")
record MemoryProperties(@Nullable DataSize maxBytes) {

  MemoryProperties {
    if (maxBytes != null && maxBytes.toBytes() < 1) {
      throw new IllegalArgumentException(
          "evidentsource.memory.max-bytes must be positive, was " + maxBytes);
    }
  }

  /** The budget in bytes: the configured one, or half the maximum heap. */
  long budgetBytes() {
    return maxBytes != null ? maxBytes.toBytes() : Runtime.getRuntime().maxMemory() / 2;
  }
}
