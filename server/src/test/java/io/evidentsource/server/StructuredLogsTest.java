package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/**
 * JSON logs (docs/operations.md#logs): with {@code logging.structured.format.console=ecs} every
 * line is an ECS JSON object carrying the trace id, span id and request id; a catalog change and a
 * component publish write one INFO line each, a 5xx and a failed component call a WARN with its
 * code, and reads and transactions over the slow thresholds (here 1 ns: all of them) a WARN.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "logging.structured.format.console=ecs",
      "spring.grpc.server.port=0",
      "evidentsource.observability.slow-query=1ns",
      "evidentsource.observability.slow-append=1ns",
    })
@DirtiesContext
class StructuredLogsTest {
  @LocalServerPort int port;
  Api api;

  /**
   * Spring Boot sets logging up once while a context lives, and the other tests' contexts stay
   * cached in this JVM: reset it so this context's JSON format applies.
   */
  @BeforeAll
  static void resetLogging() {
    LoggingSystem.get(StructuredLogsTest.class.getClassLoader()).cleanUp();
  }

  /** Back to the default text format for the tests that follow in this JVM. */
  @AfterAll
  static void restoreLogging() {
    // the JSON format lives on in the system properties Spring Boot's logging set up from it
    System.getProperties().stringPropertyNames().stream()
        .filter(name -> name.contains("STRUCTURED_FORMAT"))
        .forEach(System::clearProperty);
    var logging = LoggingSystem.get(StructuredLogsTest.class.getClassLoader());
    logging.cleanUp();
    logging.beforeInitialize();
    logging.initialize(new LoggingInitializationContext(new StandardEnvironment()), null, null);
  }

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  @Test
  void log_lines_are_ecs_json_with_trace_span_and_request_ids(CapturedOutput output) {
    var created =
        api.post(
            "/api/v1/databases",
            "application/json",
            "{\"name\":\"logs\"}",
            "X-Request-Id",
            "req-1");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("X-Request-Id")).isEqualTo("req-1");
    api.append("logs", Api.event("e1", "s", "t", null));
    assertThat(api.get("/api/v1/databases/logs/events").status()).isEqualTo(200);
    var echo =
        ComponentApiTest.multipartPublish(
            api,
            "/api/v1/databases/logs/state-changes",
            "{\"state_change_name\":\"echo\"}",
            ComponentApiTest.ECHO);
    assertThat(echo.status()).isEqualTo(201);
    api.post(
            "/api/v1/databases/logs/state-changes/echo/commands",
            "application/json",
            "\"trap\"",
            "X-Request-Id",
            "req-trap")
        .problem(500, "component_failed");

    List<JsonNode> lines = json(output);
    JsonNode createdLine = one(lines, l -> text(l, "message").equals("database 'logs' created"));
    assertThat(text(createdLine, "log.level")).isEqualTo("INFO");
    assertThat(text(createdLine, "request_id")).isEqualTo("req-1");
    assertThat(text(createdLine, "database")).isEqualTo("logs");
    assertThat(text(createdLine, "traceId")).matches("[0-9a-f]{32}");
    assertThat(text(createdLine, "spanId")).matches("[0-9a-f]{16}");

    JsonNode published =
        one(lines, l -> text(l, "message").startsWith("state change 'echo' version 1 published"));
    assertThat(text(published, "component")).isEqualTo("echo");

    JsonNode failed =
        one(
            lines,
            l -> text(l, "message").contains("failed in decide") && text(l, "code").length() > 0);
    assertThat(text(failed, "code")).isEqualTo("component_failed");
    assertThat(text(failed, "log.level")).isEqualTo("WARN");
    assertThat(text(failed, "request_id")).isEqualTo("req-trap");

    JsonNode answered = one(lines, l -> text(l, "message").contains("answered 500"));
    assertThat(text(answered, "code")).isEqualTo("component_failed");
    assertThat(text(answered, "status")).isEqualTo("500");

    JsonNode slowAppend = one(lines, l -> text(l, "message").startsWith("slow append: 1 events"));
    assertThat(text(slowAppend, "outcome")).isEqualTo("committed");
    JsonNode slowQuery = one(lines, l -> text(l, "message").startsWith("slow query: query read"));
    assertThat(text(slowQuery, "database")).isEqualTo("logs");
    assertThat(text(slowQuery, "duration_ms")).isNotEmpty();
  }

  @Test
  void a_generated_request_id_is_the_same_in_the_logs_and_the_response(CapturedOutput output) {
    var created = api.post("/api/v1/databases", "application/json", "{\"name\":\"logs-anon\"}");
    assertThat(created.status()).isEqualTo(201);
    String sent = created.header("X-Request-Id");
    assertThat(sent).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    JsonNode createdLine =
        one(json(output), l -> text(l, "message").equals("database 'logs-anon' created"));
    assertThat(text(createdLine, "request_id")).isEqualTo(sent);
  }

  private static List<JsonNode> json(CapturedOutput output) {
    var out = new ArrayList<JsonNode>();
    for (String line : output.getOut().split("\n", -1)) {
      if (line.startsWith("{")) {
        out.add(Api.JSON.readTree(line));
      }
    }
    assertThat(out).isNotEmpty();
    return out;
  }

  private static JsonNode one(List<JsonNode> lines, Predicate<JsonNode> match) {
    var found = lines.stream().filter(match).toList();
    assertThat(found).as("matching log lines").hasSize(1);
    return found.get(0);
  }

  /** A field as text, by its dotted name or nested path; "" when absent. */
  private static String text(JsonNode line, String field) {
    JsonNode node = line.get(field);
    if (node == null) {
      node = line;
      for (String part : field.split("\\.", -1)) {
        node = node == null ? null : node.get(part);
      }
    }
    return node == null || node.isNull() ? "" : node.asString();
  }
}
