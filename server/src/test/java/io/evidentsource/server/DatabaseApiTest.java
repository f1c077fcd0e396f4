package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.port.Storage;
import io.evidentsource.server.Api.Response;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class DatabaseApiTest extends ServerTestBase {
  @Autowired EventStore store;
  @Autowired Storage storage;

  @Nested
  class creating {
    @Test
    void returns_201_with_location_and_the_database() {
      String name = "orders-" + System.nanoTime();
      Response r = api.postJson("/api/v1/databases", "{\"name\":\"" + name + "\"}");
      assertThat(r.status()).isEqualTo(201);
      assertThat(r.header("Location")).isEqualTo("/api/v1/databases/" + name);
      JsonNode db = r.json();
      assertThat(db.get("name").stringValue()).isEqualTo(name);
      assertThat(db.get("revision").longValue()).isZero();
      Instant created = Instant.parse(db.get("created_at").stringValue());
      assertThat(created).isBeforeOrEqualTo(Instant.now());
      assertThat(db.get("revision_time").stringValue())
          .isEqualTo(db.get("created_at").stringValue());
    }

    @Test
    void answers_what_get_answers_at_the_top_level() {
      String name = "orders-" + System.nanoTime();
      JsonNode created = api.postJson("/api/v1/databases", "{\"name\":\"" + name + "\"}").json();
      JsonNode read = api.get("/api/v1/databases/" + name).json();
      for (String field : read.propertyNames()) {
        assertThat(created.get(field)).as(field).isEqualTo(read.get(field));
      }
      assertThat(created.propertyNames())
          .containsExactly("name", "created_at", "revision", "revision_time", "database");
    }

    @Test
    void keeps_the_database_member_of_the_first_release() {
      String name = "orders-" + System.nanoTime();
      JsonNode created = api.postJson("/api/v1/databases", "{\"name\":\"" + name + "\"}").json();
      JsonNode db = created.get("database");
      assertThat(db.propertyNames())
          .containsExactly("name", "created_at", "revision", "revision_time");
      for (String field : db.propertyNames()) {
        assertThat(db.get(field)).as(field).isEqualTo(created.get(field));
      }
    }

    @Test
    void refuses_an_existing_name_with_409() {
      String name = api.createDatabase();
      JsonNode p =
          api.postJson("/api/v1/databases", "{\"name\":\"" + name + "\"}")
              .problem(409, "database_exists");
      assertThat(p.get("instance").stringValue()).isEqualTo("/api/v1/databases");
    }

    @Test
    void refuses_names_that_are_not_dns_labels() {
      for (String bad : new String[] {"Orders", "1abc", "a_b", "-a", "a-", "", "x".repeat(64)}) {
        JsonNode p =
            api.postJson("/api/v1/databases", "{\"name\":\"" + bad + "\"}")
                .problem(400, "invalid_database_name");
        assertThat(p.get("name").stringValue()).isEqualTo(bad);
      }
    }

    @Test
    void refuses_bodies_of_the_wrong_shape() {
      api.postJson("/api/v1/databases", "[]").problem(400, "malformed_request");
      api.postJson("/api/v1/databases", "{}").problem(400, "malformed_request");
      api.postJson("/api/v1/databases", "{\"name\":1}").problem(400, "malformed_request");
      api.postJson("/api/v1/databases", "{\"name\":\"a\",\"nmae\":\"b\"}")
          .problem(400, "malformed_request");
    }

    @Test
    void refuses_malformed_json_naming_line_and_column() {
      JsonNode p =
          api.postJson("/api/v1/databases", "{\n\"name\": \"x\",,\n}")
              .problem(400, "malformed_json");
      assertThat(p.get("line").intValue()).isEqualTo(2);
      assertThat(p.get("column").intValue()).isPositive();
    }

    @Test
    void refuses_a_non_json_content_type_with_415() {
      api.post("/api/v1/databases", "text/plain", "{\"name\":\"x\"}")
          .problem(415, "unsupported_media_type");
    }
  }

  @Nested
  class reading_and_listing {
    @Test
    void lists_databases_by_name() {
      String a = api.createDatabase();
      String b = api.createDatabase();
      Response r = api.get("/api/v1/databases");
      assertThat(r.status()).isEqualTo(200);
      var names = new java.util.ArrayList<String>();
      r.json().get("databases").forEach(d -> names.add(d.get("name").stringValue()));
      assertThat(names).contains(a, b).isSorted();
    }

    @Test
    void reads_one_database_with_its_head() {
      String db = api.createDatabase();
      JsonNode tx = api.append(db, Api.event("1", "s", "t", null), Api.event("2", "s", "t", null));
      Response r = api.get("/api/v1/databases/" + db);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("name").stringValue()).isEqualTo(db);
      assertThat(r.json().get("revision").longValue()).isEqualTo(2);
      assertThat(r.json().get("revision_time").stringValue())
          .isEqualTo(tx.get("recorded_time").stringValue());
    }

    @Test
    void unknown_databases_are_404() {
      JsonNode p = api.get("/api/v1/databases/nope-nope").problem(404, "database_not_found");
      assertThat(p.get("database").stringValue()).isEqualTo("nope-nope");
    }

    @Test
    void a_bad_name_in_the_path_is_400() {
      api.get("/api/v1/databases/Bad_Name").problem(400, "invalid_database_name");
    }
  }

  @Nested
  class deleting {
    @Test
    void deletes_with_204_and_then_it_is_gone() {
      String db = api.createDatabase();
      assertThat(api.delete("/api/v1/databases/" + db).status()).isEqualTo(204);
      api.get("/api/v1/databases/" + db).problem(404, "database_not_found");
      api.delete("/api/v1/databases/" + db).problem(404, "database_not_found");
    }

    @Test
    void a_delete_sent_again_with_its_idempotency_key_answers_204_and_spares_a_later_database() {
      String db = api.createDatabase();
      String path = "/api/v1/databases/" + db;
      assertThat(api.send("DELETE", path, "Idempotency-Key", "delete-1").status()).isEqualTo(204);
      // the first answer was lost: the client sends the same delete again
      assertThat(api.send("DELETE", path, "Idempotency-Key", "delete-1").status()).isEqualTo(204);
      api.send("DELETE", path, "Idempotency-Key", "delete-2").problem(404, "database_not_found");
      api.delete(path).problem(404, "database_not_found");

      // a database created under the name since is not deleted by the repeated call
      api.postJson("/api/v1/databases", "{\"name\":\"" + db + "\"}");
      api.append(db, Api.event("1", "s", "t", null));
      assertThat(api.send("DELETE", path, "Idempotency-Key", "delete-1").status()).isEqualTo(204);
      assertThat(api.revision(db)).isEqualTo(1);
      // deleting it without a key forgets the old key
      assertThat(api.delete(path).status()).isEqualTo(204);
      api.send("DELETE", path, "Idempotency-Key", "delete-1").problem(404, "database_not_found");
    }

    /**
     * A keyed delete cut short after the storage deleted the database but before the server let go
     * of its components (a crash, simulated by deleting through the event store alone): the
     * repeated delete lets go of them, and spares those of a database created under the name since.
     */
    @Test
    void a_delete_cut_short_leaves_no_components_once_it_is_sent_again() {
      String db = api.createDatabase();
      String path = "/api/v1/databases/" + db;
      var name = DatabaseName.of(db);
      publishCounter(db);
      long deleted = store.database(name).generation();
      assertThat(store.deleteDatabase(name, "cut-short")).isTrue(); // no ComponentCatalog.forget
      assertThat(storage.components().list(name, deleted, ComponentKind.STATE_VIEW)).hasSize(1);

      assertThat(api.send("DELETE", path, "Idempotency-Key", "cut-short").status()).isEqualTo(204);
      assertThat(storage.components().list(name, deleted, ComponentKind.STATE_VIEW)).isEmpty();

      api.postJson("/api/v1/databases", "{\"name\":\"" + db + "\"}");
      publishCounter(db);
      long current = store.database(name).generation();
      assertThat(api.send("DELETE", path, "Idempotency-Key", "cut-short").status()).isEqualTo(204);
      assertThat(storage.components().list(name, current, ComponentKind.STATE_VIEW)).hasSize(1);
      assertThat(api.get(path + "/state-views/count").status()).isEqualTo(200);
    }

    private void publishCounter(String db) {
      var published =
          ComponentApiTest.multipartPublish(
              api,
              "/api/v1/databases/" + db + "/state-views",
              "{\"state_view_name\":\"count\",\"content_type\":\"application/json\","
                  + "\"event_selector\":{\"type\":\"any\"}}",
              ComponentApiTest.COUNTER);
      assertThat(published.status()).as(published.text()).isEqualTo(201);
    }

    @Test
    void an_idempotency_key_beyond_255_visible_ascii_characters_is_400() {
      String db = api.createDatabase();
      String path = "/api/v1/databases/" + db;
      JsonNode p =
          api.send("DELETE", path, "Idempotency-Key", "k".repeat(256))
              .problem(400, "malformed_request");
      assertThat(p.get("detail").stringValue()).contains("Idempotency-Key").contains("255");
      api.send("DELETE", path, "Idempotency-Key", "a b").problem(400, "malformed_request");
      assertThat(api.revision(db)).isZero(); // not deleted
    }

    @Test
    void a_name_can_be_reused_and_shows_no_old_events() {
      String db = api.createDatabase();
      api.append(db, Api.event("1", "s", "t", null));
      api.delete("/api/v1/databases/" + db);
      assertThat(api.postJson("/api/v1/databases", "{\"name\":\"" + db + "\"}").status())
          .isEqualTo(201);
      assertThat(api.revision(db)).isZero();
      assertThat(api.events(db, "")).isEmpty();
      api.append(db, Api.event("1", "s", "t", null)); // the old id is free again
    }
  }
}
