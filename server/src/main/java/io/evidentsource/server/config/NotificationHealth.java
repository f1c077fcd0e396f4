package io.evidentsource.server.config;

import io.evidentsource.core.model.DatabaseName;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * Which databases' notifications cannot be published right now, for {@code GET
 * /api/v1/databases/{db}} (its {@code notifications} member) and the gauge {@code
 * evidentsource.notification.relay.failing}. Only the DynamoDB profiles have a relay; elsewhere
 * every database reads as healthy (docs/dynamodb.md#notifications).
 */
public final class NotificationHealth {
  /**
   * A database whose last publishing round failed.
   *
   * @param attempts consecutive failed rounds
   * @param retryAt when the relay tries it next
   * @param error the last failure's message
   */
  public record Failure(int attempts, Instant retryAt, String error) {}

  private final MeterRegistry registry;
  private volatile Function<DatabaseName, Optional<Failure>> failures = db -> Optional.empty();

  NotificationHealth(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Follows a relay: {@code failures} answers per database, {@code failing} counts the databases
   * failing now (registered as the gauge {@code evidentsource.notification.relay.failing}).
   */
  public void follow(Function<DatabaseName, Optional<Failure>> failures, IntSupplier failing) {
    this.failures = Objects.requireNonNull(failures, "failures");
    // a strong reference: Micrometer holds a gauge's state weakly, and nothing else holds this one
    Gauge.builder("evidentsource.notification.relay.failing", failing, s -> s.getAsInt())
        .strongReference(true)
        .description(
            "Databases whose notifications the relay could not publish in its last round"
                + " (retried with backoff)")
        .register(registry);
  }

  /** {@code database}'s failure, empty when its notifications are published (or not relayed). */
  public Optional<Failure> of(DatabaseName database) {
    return failures.apply(database);
  }
}
