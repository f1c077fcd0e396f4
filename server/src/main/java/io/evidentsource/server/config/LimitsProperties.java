package io.evidentsource.server.config;

import io.evidentsource.server.request.RequestAdmission;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Fair admission of requests (docs/limits.md#requests-in-flight), bound from {@code
 * evidentsource.limits.*}: how many requests of one database, and of one API key, are served at
 * once, and how many more wait for how long before they are refused with 429 {@code
 * too_many_requests} / RESOURCE_EXHAUSTED. Live tails are not counted (they have their own limits,
 * {@link SubscriptionProperties}).
 *
 * @param maxRequestsPerDatabase most requests naming one database in flight at once (REST routes
 *     under {@code /api/v1/databases/{db}}, the gRPC calls with a database); unset: four per
 *     available processor, plus the storage's group-commit size where it has one (DynamoDB: 49), so
 *     that the transactions one write could take can all be in flight
 * @param maxRequestsPerPrincipal most requests of one API key in flight at once, over all its
 *     databases (only with security on: without a key there is no principal); unset: eight per
 *     available processor
 * @param maxQueuedRequests most requests waiting for a place of one database, and of one key; a
 *     request beyond that is refused at once. Each waiting request holds a worker thread but no CPU
 * @param requestQueueTimeout longest wait for a place; then the request is refused ({@code 0s}:
 *     refuse at once when the bound is reached)
 */
@ConfigurationProperties("evidentsource.limits")
record LimitsProperties(
    @Nullable Integer maxRequestsPerDatabase,
    @Nullable Integer maxRequestsPerPrincipal,
    @DefaultValue("64") int maxQueuedRequests,
    @DefaultValue("2s") Duration requestQueueTimeout) {

  LimitsProperties {
    // RequestAdmission.Limits validates and names the property
    limits(
        maxRequestsPerDatabase, maxRequestsPerPrincipal, maxQueuedRequests, requestQueueTimeout, 1);
  }

  /**
   * The bounds in force, defaults filled in from the number of processors.
   *
   * @param groupCommit the most transactions the storage writes at once for one database ({@code
   *     StorageAdapter.maxGroupTransactions()}, 1 without group commit)
   */
  RequestAdmission.Limits limits(int groupCommit) {
    return limits(
        maxRequestsPerDatabase,
        maxRequestsPerPrincipal,
        maxQueuedRequests,
        requestQueueTimeout,
        groupCommit);
  }

  private static RequestAdmission.Limits limits(
      @Nullable Integer perDatabase,
      @Nullable Integer perPrincipal,
      int maxQueued,
      Duration queueTimeout,
      int groupCommit) {
    int cpus = Runtime.getRuntime().availableProcessors();
    return new RequestAdmission.Limits(
        perDatabase != null ? perDatabase : 4 * cpus + (groupCommit > 1 ? groupCommit : 0),
        perPrincipal != null ? perPrincipal : 8 * cpus,
        maxQueued,
        queueTimeout);
  }
}
