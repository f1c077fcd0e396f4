package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.IndexSegmentStore;
import io.evidentsource.core.port.Storage;
import java.util.ArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/admin/databases/{db}/index-rebuilds} on profile {@code memory} with index
 * segments of 5 events on the heap (docs/operations.md#rebuilding-index-segments): missing segments
 * are sealed from the log, damaged ones replaced, readable ones kept, with the progress at the
 * {@code Location} it answers.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.grpc.server.port=0",
      "evidentsource.index.segments.enabled=true",
      "evidentsource.index.segments.events=5"
    })
@ActiveProfiles("memory")
@Timeout(120) // the polls for sealing and for a rebuild's end wait without a deadline of their own
class IndexRebuildApiTest {
  @LocalServerPort int port;
  @Autowired Storage storage;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  /** Polls the progress resource until the rebuild ended (the test classes' @Timeout bounds it). */
  static JsonNode finished(Api api, String location) throws InterruptedException {
    while (true) {
      var r = api.get(location);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      String state = r.json().get("state").stringValue();
      if (state.equals("succeeded") || state.equals("failed")) {
        return r.json();
      }
      Thread.sleep(50);
    }
  }

  static JsonNode rebuild(Api api, String db) throws InterruptedException {
    var r = api.post("/api/v1/admin/databases/" + db + "/index-rebuilds", null, "");
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    String location = r.header("Location");
    assertThat(location)
        .startsWith("/api/v1/admin/databases/" + db + "/index-rebuilds/")
        .endsWith(r.json().get("id").stringValue());
    assertThat(r.json().get("database").stringValue()).isEqualTo(db);
    return finished(api, location);
  }

  private IndexSegmentStore segments() {
    return storage.indexSegments().orElseThrow();
  }

  @Test
  void seals_missing_segments_replaces_a_damaged_one_and_keeps_the_others() throws Exception {
    String db = api.createDatabase();
    var events = new ArrayList<String>();
    for (int i = 1; i <= 23; i++) {
      events.add(Api.event("e" + i, "orders", "OrderPlaced", "o-" + (i % 3)));
    }
    api.append(db, events.toArray(String[]::new));
    var name = DatabaseName.of(db);
    // the server seals 4 segments as it indexes (on its sealer thread); once they are stored,
    // drop them, as if segments had been off
    while (segments().summaries(name, 1).size() < 4) {
      Thread.sleep(20);
    }
    segments().forgetDatabase(name);

    var done = rebuild(api, db);

    assertThat(done.get("state").stringValue()).isEqualTo("succeeded");
    assertThat(done.get("revision").longValue()).isEqualTo(23);
    assertThat(done.get("segment_events").intValue()).isEqualTo(5);
    assertThat(done.get("ranges_total").longValue()).isEqualTo(4);
    assertThat(done.get("ranges_done").longValue()).isEqualTo(4);
    assertThat(done.get("segments_sealed").longValue()).isEqualTo(4);
    assertThat(done.get("segments_replaced").longValue()).isZero();
    assertThat(done.get("segments_kept").longValue()).isZero();
    assertThat(done.get("events_read").longValue()).isEqualTo(20);
    assertThat(done.get("finished_at").isNull()).isFalse();
    assertThat(done.get("error").isNull()).isTrue();
    assertThat(segments().summaries(name, 1)).containsOnlyKeys(1L, 6L, 11L, 16L);

    // one segment damaged: replaced with the bytes it had, the others kept
    var key = new IndexSegmentStore.Key(name, 1, 11);
    byte[] sealed = segments().get(key).orElseThrow();
    segments().replace(key, new byte[] {1, 2, 3});

    var repaired = rebuild(api, db);

    assertThat(repaired.get("segments_replaced").longValue()).isEqualTo(1);
    assertThat(repaired.get("segments_kept").longValue()).isEqualTo(3);
    assertThat(repaired.get("events_read").longValue()).isEqualTo(5);
    assertThat(segments().get(key).orElseThrow()).isEqualTo(sealed);
    // answers are unchanged
    assertThat(api.events(db, "")).hasSize(23);
  }

  @Test
  void an_unknown_database_is_404_and_an_unknown_rebuild_too() {
    api.post("/api/v1/admin/databases/no-such-db/index-rebuilds", null, "")
        .problem(404, "database_not_found");
    api.post("/api/v1/admin/databases/Not_A_Name/index-rebuilds", null, "")
        .problem(400, "invalid_database_name");
    String db = api.createDatabase();
    api.get("/api/v1/admin/databases/" + db + "/index-rebuilds/nope").problem(404, "not_found");
  }
}
