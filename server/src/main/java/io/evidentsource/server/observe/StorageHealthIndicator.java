package io.evidentsource.server.observe;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.Storage;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of the storage: UP when it answers a catalog read (one {@code findDatabase}, a single
 * key lookup on every storage), DOWN with the error when it does not. Part of the readiness group
 * ({@code /actuator/health/readiness}, docs/operations.md#health-and-readiness), so a load balancer
 * sends no traffic to an instance that cannot reach its storage. It does not wait for any index: a
 * database's index is built on its first use (from sealed segments where there are, ADR 0011).
 */
final class StorageHealthIndicator implements HealthIndicator {
  /** A valid database name looked up by the probe; whether it exists does not matter. */
  static final DatabaseName PROBE = new DatabaseName("readiness-probe");

  private final Storage storage;

  StorageHealthIndicator(Storage storage) {
    this.storage = storage;
  }

  @Override
  public Health health() {
    try {
      storage.log().findDatabase(PROBE);
      return Health.up().build();
    } catch (RuntimeException e) {
      return Health.down(e).build();
    }
  }
}
