package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.server.config.RestoreCommand;
import io.evidentsource.storage.local.LocalStorage;
import io.evidentsource.storage.local.SyncMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  private ConfigurableApplicationContext start(Path dataDir, String... more) {
    // arguments, not builder properties: they must outrank the test configuration's data dir
    var args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--spring.grpc.server.port=0",
                "--spring.main.banner-mode=off",
                "--evidentsource.local.data-dir=" + dataDir,
                "--evidentsource.local.backup-dir=" + temp.resolve("backups")));
    args.addAll(List.of(more));
    return new SpringApplicationBuilder(EvidentSourceServer.class).run(args.toArray(String[]::new));
  }

  @Test
  void sync_interval_binds_and_bad_values_fail_the_start_naming_the_setting() {
    Path dataDir = temp.resolve("interval");
    try (var ctx =
        start(
            dataDir,
            "--evidentsource.local.sync=interval",
            "--evidentsource.local.sync-interval=250ms")) {
      var options = ctx.getBean(LocalStorage.class).options();
      assertThat(options.sync()).isEqualTo(SyncMode.INTERVAL);
      assertThat(options.syncInterval()).isEqualTo(Duration.ofMillis(250));
      var api = api(ctx);
      api.postJson("/api/v1/databases", "{\"name\":\"shop\"}");
      api.append("shop", Api.event("1", "orders", "OrderPlaced", "o-1"));
      assertThat(api.revision("shop")).isEqualTo(1);
    }
    assertThatThrownBy(() -> start(dataDir, "--evidentsource.local.sync=sometimes"))
        .rootCause()
        .hasMessage("evidentsource.local.sync must be 'always' or 'interval', was 'sometimes'");
    assertThatThrownBy(
            () ->
                start(
                    dataDir,
                    "--evidentsource.local.sync=interval",
                    "--evidentsource.local.sync-interval=0s"))
        .rootCause()
        .hasMessageContaining("evidentsource.local.sync-interval must be positive");
  }

  @Test
  void an_online_backup_restores_to_exactly_the_databases_at_the_moment_it_was_taken() {
    Path dataDir = temp.resolve("data");
    String backupDir;
    try (var ctx = start(dataDir)) {
      var api = api(ctx);
      api.postJson("/api/v1/databases", "{\"name\":\"shop\"}");
      api.append("shop", Api.event("1", "orders", "OrderPlaced", "o-1"));
      api.append("shop", Api.event("2", "orders", "OrderPlaced", "o-2"));
      var r = api.postJson("/api/v1/admin/backups", "{\"name\":\"nightly-1\"}");
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      backupDir = r.json().get("directory").stringValue();
      assertThat(Path.of(backupDir)).isEqualTo(temp.resolve("backups/nightly-1").toAbsolutePath());
      assertThat(r.json().get("created_at").stringValue()).isNotBlank();
      // after the backup: not in it
      api.append("shop", Api.event("3", "orders", "OrderPlaced", "o-3"));
      api.postJson("/api/v1/databases", "{\"name\":\"later\"}");

      api.postJson("/api/v1/admin/backups", "{\"name\":\"nightly-1\"}")
          .problem(400, "malformed_request");
      api.postJson("/api/v1/admin/backups", "{\"name\":\"../escape\"}")
          .problem(400, "malformed_request");
      var unnamed = api.post("/api/v1/admin/backups", null, "");
      assertThat(unnamed.status()).as(unnamed.text()).isEqualTo(201);
      assertThat(unnamed.json().get("name").stringValue()).startsWith("backup-");
    }

    Path restored = temp.resolve("restored");
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code =
        RestoreCommand.run(
            new String[] {backupDir, restored.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--evidentsource.local.data-dir=");
    // a non-empty target is refused, naming it
    int again =
        RestoreCommand.run(
            new String[] {backupDir, restored.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(again).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not empty");

    try (var ctx = start(restored)) {
      var api = api(ctx);
      assertThat(api.revision("shop")).isEqualTo(2);
      assertThat(api.get("/api/v1/databases/later").status()).isEqualTo(404);
      api.append("shop", Api.event("3", "orders", "OrderPlaced", "o-3"));
      assertThat(api.revision("shop")).isEqualTo(3);
    }
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
    try (var files = Files.list(dataDir)) {
      assertThat(files).isNotEmpty();
    }

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
