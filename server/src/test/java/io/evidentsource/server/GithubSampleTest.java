package io.evidentsource.server;

import static io.evidentsource.server.Api.encode;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.Api.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Real data: the 329 GitHub webhook CloudEvents of {@code samples/github-webhooks.ndjson},
 * bulk-loaded over HTTP and queried; every expected count is computed here from the file itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GithubSampleTest extends ServerTestBase {
  static final Path SAMPLE = Path.of("..", "samples", "github-webhooks.ndjson");

  List<JsonNode> file;
  String db;
  JsonNode loadResult;
  Instant loadedAt;

  @BeforeAll
  void load() throws IOException {
    connect();
    file = new ArrayList<>();
    for (String line : Files.readAllLines(SAMPLE)) {
      if (!line.isBlank()) {
        file.add(Api.JSON.readTree(line));
      }
    }
    db = api.createDatabase();
    Response r =
        api.post(
            "/api/v1/databases/" + db + "/events",
            "application/x-ndjson",
            Files.readAllBytes(SAMPLE));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    loadResult = r.json();
    loadedAt = Instant.now();
  }

  static String text(JsonNode event, String attribute) {
    JsonNode v = event.get(attribute);
    return v == null ? null : v.stringValue();
  }

  @Test
  void loads_all_329_events_in_file_order() {
    assertThat(file).hasSize(329);
    assertThat(loadResult.get("event_count").longValue()).isEqualTo(329);
    assertThat(loadResult.get("first_revision").longValue()).isEqualTo(1);
    assertThat(loadResult.get("revision").longValue()).isEqualTo(329);
    List<JsonNode> stored = api.events(db, "");
    assertThat(stored).hasSize(329);
    for (int i = 0; i < 329; i++) {
      JsonNode expected = file.get(i);
      JsonNode actual = stored.get(i);
      assertThat(actual.get("id")).isEqualTo(expected.get("id"));
      assertThat(actual.get("revision").longValue()).isEqualTo(i + 1);
      assertThat(actual.get("data")).isEqualTo(expected.get("data"));
      assertThat(actual.get("time")).isEqualTo(expected.get("time")); // same text, or both absent
      assertThat(actual.get("subject")).isEqualTo(expected.get("subject"));
    }
  }

  @Test
  void counts_per_type_match_the_file() {
    Map<String, Integer> expected = count("type");
    assertThat(expected).hasSizeGreaterThan(50);
    for (var e : expected.entrySet()) {
      assertThat(api.events(db, "type=" + encode(e.getKey()))).as(e.getKey()).hasSize(e.getValue());
    }
  }

  @Test
  void counts_per_stream_match_the_file() {
    Map<String, Integer> expected = count("source");
    assertThat(expected).hasSize(16);
    for (var e : expected.entrySet()) {
      assertThat(api.events(db, "stream=" + encode(e.getKey())))
          .as(e.getKey())
          .hasSize(e.getValue());
    }
  }

  @Test
  void subject_prefixes_and_the_events_without_a_subject_match_the_file() {
    for (String prefix : List.of("issues/", "pulls/")) {
      long expected =
          file.stream()
              .filter(e -> text(e, "subject") != null && text(e, "subject").startsWith(prefix))
              .count();
      assertThat(expected).isPositive();
      List<JsonNode> got = api.events(db, "q=" + encode("subject LIKE '" + prefix + "%'"));
      assertThat(got).as(prefix).hasSize((int) expected);
      assertThat(got).allSatisfy(e -> assertThat(text(e, "subject")).startsWith(prefix));
    }
    long withoutSubject = file.stream().filter(e -> !e.has("subject")).count();
    assertThat(withoutSubject).isEqualTo(329 - 244);
    assertThat(api.events(db, "q=" + encode("subject IS NULL"))).hasSize((int) withoutSubject);
  }

  @Test
  void effective_time_queries_match_the_file() {
    // effective time = time if present, else the recorded time (the load, i.e. "now")
    List<Instant> times =
        file.stream()
            .filter(e -> e.has("time"))
            .map(e -> OffsetDateTime.parse(text(e, "time")).toInstant())
            .sorted()
            .toList();
    Instant cut = times.get(times.size() / 2); // an instant inside the file's range
    long expected =
        file.stream()
            .filter(
                e ->
                    e.has("time")
                        && !OffsetDateTime.parse(text(e, "time")).toInstant().isAfter(cut))
            .count();
    assertThat(expected).isBetween(100L, 250L);
    assertThat(api.events(db, "as_of_effective_time=" + encode(cut.toString())))
        .hasSize((int) expected);
    // events without time count as effective at their recorded time, after the load started
    assertThat(api.events(db, "as_of_effective_time=" + encode(loadedAt.plusSeconds(1).toString())))
        .hasSize(329);
    // effective-time order is by instant, whatever the offset the time was written with
    List<JsonNode> ordered =
        api.events(db, "order=effective_time&as_of_effective_time=" + encode(cut.toString()));
    List<Instant> instants =
        ordered.stream().map(e -> OffsetDateTime.parse(text(e, "time")).toInstant()).toList();
    assertThat(instants).isSorted();
  }

  @Test
  void combined_filters_match_the_file() {
    String repo = "https://github.com/Codertocat/Hello-World";
    long expected =
        file.stream()
            .filter(
                e ->
                    repo.equals(text(e, "source"))
                        && text(e, "type").startsWith("com.github.issues."))
            .count();
    assertThat(expected).isPositive();
    assertThat(
            api.events(
                db, "q=" + encode("stream = '" + repo + "' AND type LIKE 'com.github.issues.%'")))
        .hasSize((int) expected);
  }

  @Test
  void the_ndjson_export_holds_every_event() {
    Response r = api.get("/api/v1/databases/" + db + "/events", "Accept", "application/x-ndjson");
    assertThat(r.header("EvidentSource-Revision")).isEqualTo("329");
    assertThat(r.lines()).hasSize(329);
  }

  private Map<String, Integer> count(String attribute) {
    var counts = new TreeMap<String, Integer>();
    file.forEach(e -> counts.merge(text(e, attribute), 1, Integer::sum));
    return counts;
  }
}
