package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The SSE live tail: {@code GET /api/v1/databases/{db}/events/live}. */
class LiveApiTest extends ServerTestBase {
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<CompletableFuture<?>> open = new ArrayList<>();
  private final List<Stream<String>> bodies = new ArrayList<>();

  /** One SSE message: its id and data, or a comment. */
  record Message(String id, String data, String event) {}

  @AfterEach
  void closeStreams() {
    bodies.forEach(Stream::close);
    open.forEach(f -> f.cancel(true));
  }

  /** Opens a tail; messages arrive on the returned queue as they are parsed. */
  BlockingQueue<Message> tail(String db, String query, String... headers) throws Exception {
    var request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + port
                        + "/api/v1/databases/"
                        + db
                        + "/events/live"
                        + query))
            .header("Accept", "text/event-stream");
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<Stream<String>> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    bodies.add(response.body());
    var messages = new LinkedBlockingQueue<Message>();
    open.add(
        CompletableFuture.runAsync(
            () -> {
              String id = null;
              String event = null;
              var data = new StringBuilder();
              var lines = response.body().iterator();
              while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                  if (data.length() > 0 || event != null) {
                    messages.add(new Message(id, data.toString(), event));
                  }
                  id = null;
                  event = null;
                  data.setLength(0);
                } else if (line.startsWith(":")) {
                  messages.add(new Message(null, null, "comment:" + line.substring(1).strip()));
                } else if (line.startsWith("id:")) {
                  id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                  event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                  data.append(line.substring(5).strip());
                }
              }
            }));
    return messages;
  }

  static Message nextEvent(BlockingQueue<Message> messages) throws InterruptedException {
    while (true) {
      Message m = messages.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("an SSE message within 10 s").isNotNull();
      if (m.event() == null || !m.event().startsWith("comment:")) {
        return m;
      }
    }
  }

  String event(String id, String subject) {
    return Api.event(id, "https://example.com/live", "com.example.Happened", subject);
  }

  @Test
  void catches_up_from_from_revision_inclusive_then_follows_new_commits_with_the_same_filters()
      throws Exception {
    String db = api.createDatabase();
    api.append(db, event("a", "x"), event("b", "y"), event("c", "x"));
    var messages = tail(db, "?subject=x&from_revision=2");
    Message first = nextEvent(messages);
    assertThat(first.id()).isEqualTo("3");
    JsonNode data = Api.JSON.readTree(first.data());
    assertThat(data.get("id").stringValue()).isEqualTo("c");
    assertThat(data.get("revision").longValue()).isEqualTo(3);
    assertThat(data.has("recordedtime")).isTrue();

    api.append(db, event("d", "y"), event("e", "x"));
    api.append(db, event("f", "x"));
    assertThat(nextEvent(messages).id()).isEqualTo("5");
    assertThat(nextEvent(messages).id()).isEqualTo("6");
  }

  @Test
  void opens_with_a_comment_and_without_from_revision_starts_at_the_next_commit() throws Exception {
    String db = api.createDatabase();
    api.append(db, event("a", "x"));
    var messages = tail(db, "");
    Message hello = messages.poll(10, TimeUnit.SECONDS);
    assertThat(hello).isNotNull();
    assertThat(hello.event()).startsWith("comment:");
    api.append(db, event("b", "x"));
    assertThat(nextEvent(messages).id()).isEqualTo("2");
  }

  @Test
  void last_event_id_resumes_strictly_after_that_revision() throws Exception {
    String db = api.createDatabase();
    api.append(db, event("a", "x"), event("b", "x"), event("c", "x"), event("d", "x"));
    var messages = tail(db, "?from_revision=1", "Last-Event-ID", "2");
    assertThat(nextEvent(messages).id()).isEqualTo("3");
    assertThat(nextEvent(messages).id()).isEqualTo("4");
  }

  @Test
  void bad_parameters_and_unknown_databases_are_problems_before_the_stream_starts() {
    String db = api.createDatabase();
    api.get("/api/v1/databases/" + db + "/events/live?limit=3").problem(400, "invalid_query");
    api.get("/api/v1/databases/" + db + "/events/live?q=subject%20%3D")
        .problem(400, "invalid_selector");
    api.get("/api/v1/databases/" + db + "/events/live", "Last-Event-ID", "abc")
        .problem(400, "invalid_query");
    api.get("/api/v1/databases/no-such-db/events/live").problem(404, "database_not_found");
  }
}
