package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The default profile {@code local}: a server stopped and started again on the same data directory
 * still has its databases, events, idempotency records and published components; the directory is
 * created on start and locked against a second server.
 */
class LocalProfileTest {
  @TempDir Path temp;

  private ConfigurableApplicationContext start(Path dataDir) {
    // arguments, not builder properties: they must outrank the test configuration's data dir
    return new SpringApplicationBuilder(EvidentSourceServer.class)
        .run(
            "--server.port=0",
            "--spring.grpc.server.port=0",
            "--spring.main.banner-mode=off",
            "--evidentsource.local.data-dir=" + dataDir);
  }

  private static Api api(ConfigurableApplicationContext ctx) {
    return new Api(((WebServerApplicationContext) ctx).getWebServer().getPort());
  }

  @Test
  void a_restarted_server_has_every_database_event_and_transaction_it_had() throws IOException {
    Path dataDir = temp.resolve("nested/data");
    String transactionId = "5b0f5c5e-7c1a-4c50-9b53-0c2a7e3a1f11";
    String body =
        "{\"transaction_id\":\""
            + transactionId
            + "\",\"events\":["
            + Api.event("1", "order-1", "OrderPlaced", null)
            + ","
            + Api.event("2", "order-1", "OrderPaid", null)
            + "]}";
    String before;
    try (var ctx = start(dataDir)) {
      assertThat(dataDir).isDirectory();
      var api = api(ctx);
      api.postJson("/api/v1/databases", "{\"name\":\"shop\"}");
      assertThat(api.postJson("/api/v1/databases/shop/transactions", body).status()).isEqualTo(201);
      before = api.get("/api/v1/databases/shop/events").text();
    }
    assertThat(Files.list(dataDir)).isNotEmpty();

    try (var ctx = start(dataDir)) {
      var api = api(ctx);
      assertThat(api.revision("shop")).isEqualTo(2);
      assertThat(api.get("/api/v1/databases/shop/events").text()).isEqualTo(before);
      var retry = api.postJson("/api/v1/databases/shop/transactions", body);
      assertThat(retry.status()).isEqualTo(200);
      assertThat(retry.json().get("duplicate").booleanValue()).isTrue();
      assertThat(retry.json().get("first_revision").longValue()).isEqualTo(1);
      assertThat(api.revision("shop")).isEqualTo(2);
    }
  }

  @Test
  void a_second_server_on_the_same_data_directory_refuses_to_start_naming_it() {
    Path dataDir = temp.resolve("data");
    try (var first = start(dataDir)) {
      assertThatThrownBy(() -> start(dataDir).close())
          .hasStackTraceContaining("is in use by another EvidentSource process")
          .hasStackTraceContaining(dataDir.toAbsolutePath().toString())
          .hasStackTraceContaining("evidentsource.local.data-dir");
      assertThat(api(first).get("/api/v1/databases").status()).isEqualTo(200);
    }
  }
}
