package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.port.AppendOutcome;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.port.Storage;
import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.memory.InMemoryComponentRegistry;
import io.evidentsource.storage.memory.InMemoryStorageAdapter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Profile;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Failures of the storage layer over HTTP: a head that keeps moving is 503 {@code
 * contention_timeout} with {@code Retry-After}; an unexpected exception is 500 {@code internal}
 * whose body reveals nothing of it.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "evidentsource.contention-timeout=200ms")
@ActiveProfiles("faults")
class FaultyStorageTest {
  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  @Test
  void a_head_that_keeps_moving_is_503_contention_timeout_and_stores_nothing() {
    api.postJson("/api/v1/databases", "{\"name\":\"busy\"}");
    var r =
        api.postJson(
            "/api/v1/databases/busy/transactions",
            "{\"events\":[" + Api.event("1", "s", "t", null) + "]}");
    JsonNode p = r.problem(503, "contention_timeout");
    assertThat(r.header("Retry-After")).isEqualTo("1");
    assertThat(p.get("attempts").intValue()).isPositive();
    assertThat(api.revision("busy")).isZero();
  }

  @Test
  void an_unexpected_failure_is_500_internal_without_details() {
    api.postJson("/api/v1/databases", "{\"name\":\"broken\"}");
    api.append("broken", Api.event("1", "s", "t", null));
    var r = api.get("/api/v1/databases/broken/events");
    JsonNode p = r.problem(500, "internal");
    assertThat(r.text()).doesNotContain("disk on fire").doesNotContain("IllegalStateException");
    assertThat(p.get("detail").stringValue()).contains("server log");
  }

  @TestConfiguration(proxyBeanMethods = false)
  @Profile("faults")
  static class Faults {
    @Bean
    Storage storage() {
      return Storage.builder(new FaultyStorage(new InMemoryStorageAdapter()))
          .pollingNotifications(Duration.ofMillis(100))
          .components(new InMemoryComponentRegistry())
          .build();
    }
  }

  /** Delegates to memory, except that "busy" never accepts an append and "broken" cannot read. */
  record FaultyStorage(StorageAdapter delegate) implements StorageAdapter {
    @Override
    public DatabaseInfo createDatabase(DatabaseName name, Instant createdAt) {
      return delegate.createDatabase(name, createdAt);
    }

    @Override
    public boolean deleteDatabase(DatabaseName name, @Nullable String deleteKey) {
      return delegate.deleteDatabase(name, deleteKey);
    }

    @Override
    public List<DatabaseInfo> listDatabases() {
      return delegate.listDatabases();
    }

    @Override
    public Optional<DatabaseInfo> findDatabase(DatabaseName name) {
      return delegate.findDatabase(name);
    }

    @Override
    public AppendOutcome append(AppendRequest request) {
      if (request.database().value().equals("busy")) {
        return new AppendOutcome.HeadMoved(request.expectedHead() + 1);
      }
      return delegate.append(request);
    }

    @Override
    public List<StoredEvent> readRange(DatabaseName database, long generation, long from, long to) {
      check(database);
      return delegate.readRange(database, generation, from, to);
    }

    @Override
    public List<StoredEvent> readRevisions(
        DatabaseName database, long generation, long[] revisions) {
      check(database);
      return delegate.readRevisions(database, generation, revisions);
    }

    @Override
    public Optional<TransactionResult> findTransaction(
        DatabaseName database, long generation, UUID transactionId) {
      return delegate.findTransaction(database, generation, transactionId);
    }

    @Override
    public Optional<io.evidentsource.core.command.TransactionRecord> readTransaction(
        DatabaseName database, long generation, UUID transactionId) {
      return delegate.readTransaction(database, generation, transactionId);
    }

    private static void check(DatabaseName database) {
      if (database.value().equals("broken")) {
        throw new IllegalStateException("disk on fire");
      }
    }
  }
}
