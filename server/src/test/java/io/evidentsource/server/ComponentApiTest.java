package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * State views and state changes over HTTP, with guests from {@code guests/wat} compiled at test
 * time by wabt; every response is also checked against the OpenAPI document.
 */
public class ComponentApiTest extends ServerTestBase {
  static final byte[] COUNTER = wat("counter.wat");
  static final byte[] ECHO = wat("echo-decide.wat");

  String db;
  OpenApiShapesTest shapes;

  public static byte[] wat(String file) {
    try {
      return Wat2Wasm.parse(Files.readString(Path.of("..", "guests", "wat", file)));
    } catch (IOException e) {
      throw new IllegalStateException("guest source guests/wat/" + file + " is missing", e);
    }
  }

  @BeforeEach
  void setUp() {
    db = api.createDatabase();
    shapes = new OpenApiShapesTest();
    shapes.api = api;
    shapes.load();
  }

  public static byte[] multipart(String boundary, String metadata, byte[] wasm) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n"
                + metadata
                + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
    out.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"wasm\"; "
                + "filename=\"m.wasm\"\r\nContent-Type: application/wasm\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    out.writeBytes(wasm);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  Api.Response publish(String kind, String metadata, byte[] wasm) {
    return multipartPublish(api, "/api/v1/databases/" + db + "/" + kind, metadata, wasm);
  }

  /** Publishes a component: POSTs its metadata and module as multipart to {@code path}. */
  static Api.Response multipartPublish(Api api, String path, String metadata, byte[] wasm) {
    var boundary = "b" + UUID.randomUUID();
    return api.post(
        path, "multipart/form-data; boundary=" + boundary, multipart(boundary, metadata, wasm));
  }

  Api.Response publishCounter(String name, String selector) {
    return publish(
        "state-views",
        "{\"state_view_name\":\""
            + name
            + "\",\"content_type\":\"application/json\",\"event_selector\":"
            + selector
            + "}",
        COUNTER);
  }

  Api.Response command(String decision) {
    return api.postJson("/api/v1/databases/" + db + "/state-changes/echo/commands", decision);
  }

  @Nested
  class State_views {
    @Test
    void publish_list_and_read_with_parameters() {
      var published =
          publishCounter(
              "per-subject", "{\"type\":\"equals\",\"attr\":{\"subject\":\"acct/{id}\"}}");
      shapes.assertConforms(
          published, "/api/v1/databases/{db}/state-views", "post", 201, "application/json");
      assertThat(published.json().get("version").intValue()).isEqualTo(1);
      assertThat(
              publishCounter("per-subject", "{\"type\":\"any\"}").json().get("version").intValue())
          .isEqualTo(2);
      var list = api.get("/api/v1/databases/" + db + "/state-views");
      shapes.assertConforms(
          list, "/api/v1/databases/{db}/state-views", "get", 200, "application/json");
      assertThat(list.json().get("state_views")).hasSize(2);

      api.append(
          db,
          Api.event("1", "s", "t", "acct/a"),
          Api.event("2", "s", "t", "acct/b"),
          Api.event("3", "s", "t", "acct/a"));
      var v1 = api.get("/api/v1/databases/" + db + "/state-views/per-subject/versions/1?id=a");
      shapes.assertConforms(
          v1,
          "/api/v1/databases/{db}/state-views/{name}/versions/{version}",
          "get",
          200,
          "application/json");
      JsonNode body = v1.json();
      assertThat(body.get("content").intValue()).isEqualTo(2);
      assertThat(body.get("revision").longValue()).isEqualTo(3);
      assertThat(body.get("last_modified_revision").longValue()).isEqualTo(3);
      assertThat(body.get("name").stringValue()).isEqualTo("per-subject");
      var latest = api.get("/api/v1/databases/" + db + "/state-views/per-subject");
      shapes.assertConforms(
          latest, "/api/v1/databases/{db}/state-views/{name}", "get", 200, "application/json");
      assertThat(latest.json().get("content").intValue()).isEqualTo(3);
      assertThat(latest.json().get("version").intValue()).isEqualTo(2);
      var atRevision =
          api.get(
              "/api/v1/databases/" + db + "/state-views/per-subject/versions/1?id=a&revision=1");
      assertThat(atRevision.json().get("content").intValue()).isEqualTo(1);
    }

    @Test
    void publishes_with_the_selector_in_the_text_form_as_grpc_does() {
      var published =
          publish(
              "state-views",
              "{\"state_view_name\":\"per-subject\",\"content_type\":\"application/json\","
                  + "\"event_selector_text\":\"subject = 'acct/{id}' AND type = 't'\"}",
              COUNTER);
      shapes.assertConforms(
          published, "/api/v1/databases/{db}/state-views", "post", 201, "application/json");
      assertThat(published.json().get("event_selector").toString())
          .isEqualTo(
              "{\"type\":\"and\",\"selectors\":["
                  + "{\"type\":\"equals\",\"attr\":{\"subject\":\"acct/{id}\"}},"
                  + "{\"type\":\"equals\",\"attr\":{\"event_type\":\"t\"}}]}");

      api.append(
          db,
          Api.event("1", "s", "t", "acct/a"),
          Api.event("2", "s", "other", "acct/a"),
          Api.event("3", "s", "t", "acct/b"));
      var read = api.get("/api/v1/databases/" + db + "/state-views/per-subject?id=a");
      assertThat(read.json().get("content").intValue()).isEqualTo(1);
    }

    @Test
    void refuses_both_selector_forms_neither_or_bad_text() {
      var both =
          publish(
                  "state-views",
                  "{\"state_view_name\":\"v\",\"content_type\":\"application/json\","
                      + "\"event_selector\":{\"type\":\"any\"},\"event_selector_text\":\"ANY\"}",
                  COUNTER)
              .problem(400, "malformed_request");
      assertThat(both.get("detail").stringValue()).contains("not both");
      var neither =
          publish(
                  "state-views",
                  "{\"state_view_name\":\"v\",\"content_type\":\"application/json\"}",
                  COUNTER)
              .problem(400, "malformed_request");
      assertThat(neither.get("detail").stringValue()).contains("event_selector_text");
      var badText =
          publish(
                  "state-views",
                  "{\"state_view_name\":\"v\",\"content_type\":\"application/json\","
                      + "\"event_selector_text\":\"subject = \"}",
                  COUNTER)
              .problem(400, "invalid_selector");
      assertThat(badText.get("field").stringValue()).isEqualTo("event_selector_text");
      publish(
              "state-views",
              "{\"state_view_name\":\"v\",\"content_type\":\"application/json\","
                  + "\"event_selector_text\":7}",
              COUNTER)
          .problem(400, "malformed_request");
      assertThat(api.get("/api/v1/databases/" + db + "/state-views").json().get("state_views"))
          .isEmpty();
    }

    @Test
    void format_raw_serves_the_content_with_the_views_content_type() {
      publishCounter("count", "{\"type\":\"any\"}");
      api.append(db, Api.event("1", "s", "t", null));
      var empty = api.get("/api/v1/databases/" + db + "/state-views/count?format=raw&revision=0");
      assertThat(empty.status()).isEqualTo(204); // no state yet: no body, not an empty "JSON"
      assertThat(empty.header("EvidentSource-Revision")).isEqualTo("0");
      var raw = api.get("/api/v1/databases/" + db + "/state-views/count?format=raw");
      assertThat(raw.status()).isEqualTo(200);
      assertThat(raw.contentType()).startsWith("application/json");
      assertThat(raw.text()).isEqualTo("1");
      assertThat(raw.header("EvidentSource-Revision")).isEqualTo("1");
      assertThat(raw.header("EvidentSource-Last-Modified-Revision")).isEqualTo("1");
    }

    @Test
    void an_upload_over_the_multipart_limit_is_413_naming_the_limit() {
      var problem =
          publish(
                  "state-views",
                  "{\"state_view_name\":\"huge\",\"content_type\":\"application/json\","
                      + "\"event_selector\":{\"type\":\"any\"}}",
                  new byte[18 * 1024 * 1024])
              .problem(413, "body_too_large");
      assertThat(problem.get("limit_name").stringValue())
          .isEqualTo("spring.servlet.multipart.max-request-size");
    }

    @Test
    void errors_have_stable_codes() {
      publishCounter("count", "{\"type\":\"equals\",\"attr\":{\"subject\":\"{id}\"}}");
      api.get("/api/v1/databases/" + db + "/state-views/nope").problem(404, "state_view_not_found");
      api.get("/api/v1/databases/" + db + "/state-views/count").problem(400, "invalid_query");
      api.get("/api/v1/databases/" + db + "/state-views/count?id=x&revision=99")
          .problem(400, "invalid_query");
      var bad =
          publish(
              "state-views",
              "{\"state_view_name\":\"bad\","
                  + "\"content_type\":\"application/json\",\"event_selector\":{\"type\":\"any\"}}",
              ECHO);
      var problem = bad.problem(400, "invalid_component");
      assertThat(problem.get("detail").stringValue())
          .contains("missing export 'evidentsource_evolve'");
      assertThat(problem.get("problems")).isNotEmpty();
      api.post("/api/v1/databases/" + db + "/state-views", "application/json", "{}")
          .problem(415, "unsupported_media_type");
      publish("state-views", "{\"state_view_name\":\"x\"}", COUNTER)
          .problem(400, "malformed_request");
      var notJson =
          publish("state-views", "{\"state_view_name\":", COUNTER).problem(400, "malformed_json");
      assertThat(notJson.get("detail").stringValue())
          .startsWith("the 'metadata' part is not well-formed JSON at line 1, column");
      assertThat(notJson.get("part").stringValue()).isEqualTo("metadata");
      var source =
          publish(
              "state-views",
              "{\"state_view_name\":\"src\","
                  + "\"content_type\":\"application/json\",\"event_selector\":{\"type\":\"any\"}}",
              "(module)".getBytes(StandardCharsets.UTF_8));
      assertThat(source.problem(400, "invalid_component").get("detail").stringValue())
          .contains("not a WebAssembly binary");
      api.get("/api/v1/databases/nope-db/state-views").problem(404, "database_not_found");
    }
  }

  /** The module with a custom section appended: the same code, other bytes (another digest). */
  static byte[] withCustomSection(byte[] module, String name) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(module);
    var nameBytes = name.getBytes(StandardCharsets.UTF_8);
    out.write(0); // custom section id
    out.write(1 + nameBytes.length); // section size (one LEB128 byte for short names)
    out.write(nameBytes.length);
    out.writeBytes(nameBytes);
    return out.toByteArray();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Nested
  class Describing {
    @Test
    void a_views_versions_are_listed_ascending_with_module_size_and_sha256() {
      var second = withCustomSection(COUNTER, "v2");
      publishCounter("count", "{\"type\":\"any\"}");
      var published =
          publish(
              "state-views",
              "{\"state_view_name\":\"count\",\"content_type\":\"application/json\","
                  + "\"description\":\"second\",\"event_selector\":{\"type\":\"any\"}}",
              second);
      assertThat(published.json().get("module_sha256").stringValue()).isEqualTo(sha256(second));
      publishCounter("other", "{\"type\":\"any\"}");

      var r = api.get("/api/v1/databases/" + db + "/state-views/count/versions");
      shapes.assertConforms(
          r, "/api/v1/databases/{db}/state-views/{name}/versions", "get", 200, "application/json");
      JsonNode body = r.json();
      assertThat(body.get("state_view_name").stringValue()).isEqualTo("count");
      var versions = body.get("versions");
      assertThat(versions).hasSize(2);
      assertThat(versions.get(0).get("version").intValue()).isEqualTo(1);
      assertThat(versions.get(0).get("module_size").intValue()).isEqualTo(COUNTER.length);
      assertThat(versions.get(0).get("module_sha256").stringValue()).isEqualTo(sha256(COUNTER));
      assertThat(versions.get(1).get("version").intValue()).isEqualTo(2);
      assertThat(versions.get(1).get("description").stringValue()).isEqualTo("second");
      assertThat(versions.get(1).get("module_size").intValue()).isEqualTo(second.length);
      assertThat(versions.get(1).get("module_sha256").stringValue()).isEqualTo(sha256(second));
      assertThat(versions.get(1)).isEqualTo(published.json());
      assertThat(api.get("/api/v1/databases/" + db + "/state-views").json().get("state_views"))
          .contains(versions.get(0), versions.get(1));
    }

    @Test
    void a_views_module_downloads_byte_for_byte_with_its_sha256_as_etag() {
      var second = withCustomSection(COUNTER, "v2");
      publishCounter("count", "{\"type\":\"any\"}");
      publish(
          "state-views",
          "{\"state_view_name\":\"count\",\"content_type\":\"application/json\","
              + "\"event_selector\":{\"type\":\"any\"}}",
          second);
      var path = "/api/v1/databases/" + db + "/state-views/count/versions/";
      var v1 = api.get(path + "1/module");
      var v2 = api.get(path + "2/module");
      assertThat(v1.status()).isEqualTo(200);
      assertThat(v1.contentType()).isEqualTo("application/wasm");
      assertThat(v1.body()).isEqualTo(COUNTER);
      assertThat(v2.body()).isEqualTo(second);
      var described = api.get("/api/v1/databases/" + db + "/state-views/count/versions").json();
      assertThat(sha256(v2.body()))
          .isEqualTo(described.get("versions").get(1).get("module_sha256").stringValue());
      assertThat(v2.header("ETag")).isEqualTo("\"" + sha256(second) + "\"");
      assertThat(v2.header("Content-Disposition")).contains("count-v2.wasm");
      var unchanged = api.get(path + "2/module", "If-None-Match", v2.header("ETag"));
      assertThat(unchanged.status()).isEqualTo(304);
      assertThat(unchanged.body()).isEmpty();
    }

    @Test
    void an_unknown_view_name_or_version_is_404_state_view_not_found() {
      var base = "/api/v1/databases/" + db + "/state-views/";
      var p = api.get(base + "nope/versions").problem(404, "state_view_not_found");
      assertThat(p.get("state_view").stringValue()).isEqualTo("nope");
      shapes.assertConforms(
          api.get(base + "nope/versions"),
          "/api/v1/databases/{db}/state-views/{name}/versions",
          "get",
          404,
          "application/problem+json");
      api.get(base + "nope/versions/1/module").problem(404, "state_view_not_found");
      publishCounter("count", "{\"type\":\"any\"}");
      api.get(base + "count/versions/2/module").problem(404, "state_view_not_found");
      api.get(base + "count/versions/0/module").problem(400, "malformed_request");
      api.get("/api/v1/databases/nope-db/state-views/count/versions")
          .problem(404, "database_not_found");
    }

    @Test
    void a_state_change_is_described_by_name_by_version_and_with_all_its_versions() {
      var second = withCustomSection(ECHO, "v2");
      publish("state-changes", "{\"state_change_name\":\"echo\"}", ECHO);
      publish(
          "state-changes", "{\"state_change_name\":\"echo\",\"description\":\"second\"}", second);
      var base = "/api/v1/databases/" + db + "/state-changes/echo";

      var latest = api.get(base);
      shapes.assertConforms(
          latest, "/api/v1/databases/{db}/state-changes/{name}", "get", 200, "application/json");
      assertThat(latest.json().get("version").intValue()).isEqualTo(2);
      assertThat(latest.json().get("description").stringValue()).isEqualTo("second");
      assertThat(latest.json().get("module_sha256").stringValue()).isEqualTo(sha256(second));

      var first = api.get(base + "/versions/1");
      shapes.assertConforms(
          first,
          "/api/v1/databases/{db}/state-changes/{name}/versions/{version}",
          "get",
          200,
          "application/json");
      assertThat(first.json().get("module_size").intValue()).isEqualTo(ECHO.length);
      assertThat(first.json().get("module_sha256").stringValue()).isEqualTo(sha256(ECHO));

      var all = api.get(base + "/versions");
      shapes.assertConforms(
          all,
          "/api/v1/databases/{db}/state-changes/{name}/versions",
          "get",
          200,
          "application/json");
      assertThat(all.json().get("state_change_name").stringValue()).isEqualTo("echo");
      assertThat(all.json().get("versions")).containsExactly(first.json(), latest.json());

      var module = api.get(base + "/versions/2/module");
      assertThat(module.status()).isEqualTo(200);
      assertThat(module.contentType()).isEqualTo("application/wasm");
      assertThat(module.body()).isEqualTo(second);
      assertThat(sha256(module.body())).isEqualTo(latest.json().get("module_sha256").stringValue());
      assertThat(api.get(base + "/versions/1/module").body()).isEqualTo(ECHO);
    }

    @Test
    void an_unknown_state_change_name_or_version_is_404_state_change_not_found() {
      var base = "/api/v1/databases/" + db + "/state-changes/";
      api.get(base + "nope").problem(404, "state_change_not_found");
      api.get(base + "nope/versions").problem(404, "state_change_not_found");
      api.get(base + "nope/versions/1").problem(404, "state_change_not_found");
      api.get(base + "nope/versions/1/module").problem(404, "state_change_not_found");
      publish("state-changes", "{\"state_change_name\":\"echo\"}", ECHO);
      api.get(base + "echo/versions/2").problem(404, "state_change_not_found");
      api.get(base + "echo/versions/2/module").problem(404, "state_change_not_found");
    }
  }

  @Nested
  class Hostile_components {
    @Test
    void an_endless_view_times_out_with_504_while_the_server_keeps_answering() throws Exception {
      var loop =
          Wat2Wasm.parse(
              """
              (module
                (memory (export "memory") 1)
                (func (export "evidentsource_alloc") (param i32) (result i32) (i32.const 1024))
                (func (export "evidentsource_evolve") (param i32 i32 i32 i32 i32 i32) (result i64)
                  (loop $forever (br $forever)) (i64.const 0)))
              """);
      publish(
          "state-views",
          "{\"state_view_name\":\"loop\",\"content_type\":\"application/json\","
              + "\"event_selector\":{\"type\":\"any\"}}",
          loop);
      publishCounter("count", "{\"type\":\"any\"}");
      api.append(db, Api.event("1", "s", "t", null));
      var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        var looping = pool.submit(() -> api.get("/api/v1/databases/" + db + "/state-views/loop"));
        for (int i = 0; i < 10; i++) {
          assertThat(
                  api.get("/api/v1/databases/" + db + "/state-views/count")
                      .json()
                      .get("content")
                      .intValue())
              .isEqualTo(1);
          assertThat(api.get("/api/v1/databases").status()).isEqualTo(200);
        }
        var p = looping.get().problem(504, "component_timeout");
        assertThat(p.get("detail").stringValue()).contains("did not finish within 1000 ms");
      } finally {
        pool.shutdownNow();
      }
      assertThat(api.get("/api/v1/databases/" + db + "/state-views/count").status()).isEqualTo(200);
    }
  }

  @Nested
  class State_changes {
    @BeforeEach
    void publishEcho() {
      var r = publish("state-changes", "{\"state_change_name\":\"echo\"}", ECHO);
      shapes.assertConforms(
          r, "/api/v1/databases/{db}/state-changes", "post", 201, "application/json");
      shapes.assertConforms(
          api.get("/api/v1/databases/" + db + "/state-changes"),
          "/api/v1/databases/{db}/state-changes",
          "get",
          200,
          "application/json");
    }

    @Test
    void a_decision_is_committed_with_provenance_201() {
      var r =
          api.post(
              "/api/v1/databases/" + db + "/state-changes/echo/commands",
              "application/json",
              "{\"events\":["
                  + Api.event("e1", "bank", "Deposited", "acct/a")
                  + "],\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":0}]}",
              "X-Correlation-Id",
              "corr-1");
      shapes.assertConforms(
          r,
          "/api/v1/databases/{db}/state-changes/{name}/commands",
          "post",
          201,
          "application/json");
      var event = r.json().get("events").get(0);
      assertThat(event.get("revision").longValue()).isEqualTo(1);
      assertThat(event.get("correlationid").stringValue()).isEqualTo("corr-1");
      assertThat(event.get("statechange").stringValue()).isEqualTo("echo");
      assertThat(event.get("statechangeversion").intValue()).isEqualTo(1);
      assertThat(event.get("basisrevision").intValue()).isZero();
      assertThat(event.get("origin").stringValue()).isEqualTo("http");
      assertThat(r.json().get("transaction").get("revision").longValue()).isEqualTo(1);
      assertThat(api.revision(db)).isEqualTo(1);
    }

    @Test
    void an_idempotency_key_is_a_uuid_and_a_repeated_one_returns_the_original_transaction() {
      String path = "/api/v1/databases/" + db + "/state-changes/echo/commands";
      String decision = "{\"events\":[" + Api.event("e1", "bank", "Deposited", "acct/a") + "]}";
      String key = "0b6f5a52-8d1c-4c3e-9f2a-7e4b1d9c6a10";
      var first = api.post(path, "application/json", decision, "Idempotency-Key", key);
      assertThat(first.status()).isEqualTo(201);
      assertThat(first.json().get("transaction").get("transaction_id").stringValue())
          .isEqualTo(key);
      var again = api.post(path, "application/json", decision, "Idempotency-Key", key);
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().get("transaction").get("duplicate").booleanValue()).isTrue();
      assertThat(api.revision(db)).isEqualTo(1);

      var p =
          api.post(path, "application/json", decision, "Idempotency-Key", "t1")
              .problem(400, "malformed_request");
      assertThat(p.get("field").stringValue()).isEqualTo("Idempotency-Key");
      assertThat(p.get("detail").stringValue())
          .isEqualTo(
              "the Idempotency-Key header must be a UUID such as"
                  + " 0b6f5a52-8d1c-4c3e-9f2a-7e4b1d9c6a10, was 't1'");
      assertThat(api.revision(db)).isEqualTo(1);
    }

    @Test
    void a_rejection_is_422_with_the_components_code() {
      var p =
          command("{\"rejection\":{\"code\":\"insufficient_funds\",\"message\":\"only 5\"}}")
              .problem(422, "command_rejected");
      assertThat(p.get("rejection_code").stringValue()).isEqualTo("insufficient_funds");
      assertThat(p.get("rejection_message").stringValue()).isEqualTo("only 5");
      assertThat(api.revision(db)).isZero();
    }

    @Test
    void a_failed_condition_is_409_and_nothing_is_appended() {
      api.append(db, Api.event("x", "s", "t", null));
      var p =
          api.post(
                  "/api/v1/databases/" + db + "/state-changes/echo/versions/1/commands",
                  "application/json",
                  "{\"events\":["
                      + Api.event("e1", "bank", "t", null)
                      + "],"
                      + "\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"any\"},"
                      + "\"revision\":0}]}")
              .problem(409, "condition_failed");
      assertThat(p.get("failed_conditions")).hasSize(1);
      assertThat(api.revision(db)).isEqualTo(1);
    }

    @Test
    void a_trap_is_500_with_the_components_message_and_the_server_carries_on() {
      var p = command("\"trap\"").problem(500, "component_failed");
      assertThat(p.get("detail").stringValue()).contains("unreachable");
      command("{\"events\":[]}");
      var ok = command("{\"events\":[" + Api.event("e2", "bank", "t", null) + "]}");
      assertThat(ok.status()).isEqualTo(201);
    }

    @Test
    void a_malformed_decision_is_a_component_failure() {
      command("{\"events\":[{\"id\":\"no-source\"}]}").problem(500, "component_failed");
    }

    @Nested
    class Dry_runs {
      static final String GUARDED =
          "{\"events\":["
              + Api.event("e1", "bank", "Deposited", "acct/a")
              + "],\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"equals\","
              + "\"attr\":{\"subject\":\"acct/a\"}},\"revision\":0}]}";

      Api.Response dryRun(String query, String decision) {
        return api.post(
            "/api/v1/databases/" + db + "/state-changes/echo/commands?" + query,
            "application/json",
            decision,
            "X-Correlation-Id",
            "corr-dry");
      }

      @Test
      void shows_the_decided_events_and_conditions_and_appends_nothing() {
        api.append(db, Api.event("x", "s", "t", "acct/b"));
        var r = dryRun("dry_run=true", GUARDED);
        shapes.assertConforms(
            r,
            "/api/v1/databases/{db}/state-changes/{name}/commands",
            "post",
            200,
            "application/json");
        var body = r.json();
        assertThat(body.get("dry_run").booleanValue()).isTrue();
        assertThat(body.get("basis_revision").longValue()).isEqualTo(1);
        var event = body.get("events").get(0);
        assertThat(event.get("id").stringValue()).isEqualTo("e1");
        assertThat(event.get("correlationid").stringValue()).isEqualTo("corr-dry");
        assertThat(event.get("statechange").stringValue()).isEqualTo("echo");
        assertThat(event.get("basisrevision").intValue()).isEqualTo(1);
        assertThat(event.has("revision")).as("not stored, so no revision").isFalse();
        var check = body.get("conditions").get(0);
        assertThat(check.get("condition").get("type").stringValue()).isEqualTo("max");
        assertThat(check.get("actual_revision").longValue()).isZero();
        assertThat(check.get("holds").booleanValue()).isTrue();
        assertThat(api.revision(db)).isEqualTo(1);

        // the real run appends exactly that
        var executed = command(GUARDED);
        assertThat(executed.status()).isEqualTo(201);
        assertThat(api.revision(db)).isEqualTo(2);
      }

      @Test
      void reports_a_condition_that_fails_now_with_its_actual_revision() {
        api.append(db, Api.event("x", "s", "t", "acct/a"), Api.event("y", "s", "t", "acct/a"));
        var check = dryRun("dry_run=true", GUARDED).json().get("conditions").get(0);
        assertThat(check.get("actual_revision").longValue()).isEqualTo(2);
        assertThat(check.get("holds").booleanValue()).isFalse();
        assertThat(api.revision(db)).isEqualTo(2);
      }

      @Test
      void a_rejection_is_422_as_in_a_real_run() {
        dryRun("dry_run=true", "{\"rejection\":{\"code\":\"no\",\"message\":\"never\"}}")
            .problem(422, "command_rejected");
      }

      @Test
      void dry_run_false_executes() {
        assertThat(dryRun("dry_run=false", GUARDED).status()).isEqualTo(201);
        assertThat(api.revision(db)).isEqualTo(1);
      }

      @Test
      void a_misspelt_or_unclear_dry_run_is_refused_and_executes_nothing() {
        assertThat(
                dryRun("dryrun=true", GUARDED)
                    .problem(400, "invalid_query")
                    .get("parameter")
                    .stringValue())
            .isEqualTo("dryrun");
        dryRun("dry_run=yes", GUARDED).problem(400, "invalid_query");
        dryRun("dry_run", GUARDED).problem(400, "invalid_query");
        dryRun("dry_run=true&dry_run=false", GUARDED).problem(400, "invalid_query");
        assertThat(api.revision(db)).isZero();
      }
    }

    @Test
    void an_unknown_state_change_is_404() {
      api.postJson("/api/v1/databases/" + db + "/state-changes/nope/commands", "{}")
          .problem(404, "state_change_not_found");
    }
  }
}
