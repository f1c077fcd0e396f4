package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.Api.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The CloudEvents HTTP protocol binding 1.0 on {@code POST .../events}. */
class CloudEventsHttpTest extends ServerTestBase {
  String db;

  @BeforeEach
  void database() {
    db = api.createDatabase();
  }

  String events() {
    return "/api/v1/databases/" + db + "/events";
  }

  JsonNode stored(long revision) {
    Response r = api.get(events() + "/" + revision);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/cloudevents+json");
    return r.json();
  }

  static String[] binaryHeaders(String id, String... more) {
    String[] base = {
      "ce-specversion", "1.0", "ce-id", id, "ce-source", "/sensors/7", "ce-type", "Measured"
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Nested
  class binary_mode {
    @Test
    void percent_decodes_header_values_and_keeps_plus_signs() {
      Response r =
          api.post(
              events(),
              "text/plain",
              "21.5 °C",
              binaryHeaders(
                  "b1",
                  "ce-subject",
                  "caf%C3%A9%20x+y",
                  "ce-tags",
                  "room%3A1,floor%3A2",
                  "ce-comexampleext",
                  "100%25"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(r.json().get("event_count").intValue()).isEqualTo(1);
      JsonNode e = stored(r.json().get("first_revision").longValue());
      assertThat(e.get("subject").stringValue()).isEqualTo("café x+y");
      assertThat(e.get("tags").stringValue()).isEqualTo("room:1,floor:2");
      assertThat(e.get("comexampleext").stringValue()).isEqualTo("100%");
      assertThat(e.get("source").stringValue()).isEqualTo("/sensors/7");
      // the tag index sees the decoded tags
      assertThat(api.events(db, "tag=room%3A1")).hasSize(1);
    }

    @Test
    void text_data_comes_back_as_the_same_string() {
      String text = "line 1\nline 2 — ünïcødé {not json}";
      Response r = api.post(events(), "text/plain; charset=utf-8", text, binaryHeaders("t1"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      JsonNode e = stored(1);
      assertThat(e.get("data").stringValue()).isEqualTo(text);
      assertThat(e.get("datacontenttype").stringValue()).isEqualTo("text/plain; charset=utf-8");
      assertThat(e.has("data_base64")).isFalse();
    }

    @Test
    void text_data_is_read_in_its_charset_and_refused_when_the_charset_is_unknown_or_wrong() {
      byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
      Response r =
          api.post(events(), "text/plain; charset=ISO-8859-1", latin1, binaryHeaders("c1"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(stored(1).get("data").stringValue()).isEqualTo("café");
      // not UTF-8 (the default): refused naming the data, not stored as bytes
      JsonNode p =
          api.post(events(), "text/plain", latin1, binaryHeaders("c2"))
              .problem(400, "invalid_attribute");
      assertThat(p.get("attribute").stringValue()).isEqualTo("data");
      // a charset the JVM does not know makes the Content-Type itself unusable: 415, checked
      // before the body is read (the Kafka ingress, which has no such check, answers
      // invalid_attribute naming datacontenttype; BinaryModeDataTest)
      api.post(events(), "text/plain; charset=x-unknown-1", "hi", binaryHeaders("c3"))
          .problem(415, "unsupported_media_type");
      assertThat(api.revision(db)).isEqualTo(1);
    }

    @Test
    void binary_data_comes_back_as_data_base64() {
      byte[] bytes = {0, 1, 2, (byte) 0xFF, (byte) 0xFE, 10, 13};
      Response r = api.post(events(), "application/octet-stream", bytes, binaryHeaders("x1"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      JsonNode e = stored(1);
      assertThat(e.has("data")).isFalse();
      assertThat(Base64.getDecoder().decode(e.get("data_base64").stringValue())).isEqualTo(bytes);
      assertThat(e.get("datacontenttype").stringValue()).isEqualTo("application/octet-stream");
    }

    @Test
    void json_data_is_stored_as_json() {
      Response r =
          api.post(events(), "application/json", "{ \"temp\" : 21.50 }", binaryHeaders("j1"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(api.get(events() + "/1").text()).contains("\"data\":{\"temp\":21.50}");
    }

    @Test
    void keeps_the_time_exactly_as_sent() {
      Response r =
          api.post(
              events(),
              "application/json",
              "1",
              binaryHeaders("time1", "ce-time", "2021-08-19T12:16:32.000-04:00"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(stored(1).get("time").stringValue()).isEqualTo("2021-08-19T12:16:32.000-04:00");
    }

    @Test
    void an_event_without_a_body_has_no_data() {
      Response r = api.post(events(), null, new byte[0], binaryHeaders("n1"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      JsonNode e = stored(1);
      assertThat(e.has("data")).isFalse();
      assertThat(e.has("data_base64")).isFalse();
    }

    @Test
    void malformed_json_data_is_refused() {
      api.post(events(), "application/json", "{oops", binaryHeaders("m1"))
          .problem(400, "malformed_json");
    }

    @Test
    void missing_attributes_name_the_header() {
      JsonNode p =
          api.post(
                  events(),
                  "text/plain",
                  "x",
                  "ce-specversion",
                  "1.0",
                  "ce-id",
                  "1",
                  "ce-source",
                  "s")
              .problem(400, "missing_attribute");
      assertThat(p.get("attribute").stringValue()).isEqualTo("type");
      assertThat(p.get("header").stringValue()).isEqualTo("ce-type");
      api.post(events(), "text/plain", "x", "ce-id", "1", "ce-source", "s", "ce-type", "t")
          .problem(400, "missing_attribute");
    }

    @Test
    void other_spec_versions_are_refused() {
      JsonNode p =
          api.post(
                  events(),
                  "text/plain",
                  "x",
                  "ce-specversion",
                  "0.3",
                  "ce-id",
                  "1",
                  "ce-source",
                  "s",
                  "ce-type",
                  "t")
              .problem(400, "unsupported_specversion");
      assertThat(p.get("specversion").stringValue()).isEqualTo("0.3");
    }

    @Test
    void invalid_percent_encoding_is_refused() {
      JsonNode p =
          api.post(events(), "text/plain", "x", binaryHeaders("p1", "ce-subject", "bad%zz"))
              .problem(400, "invalid_attribute");
      assertThat(p.get("attribute").stringValue()).isEqualTo("subject");
      api.post(events(), "text/plain", "x", binaryHeaders("p2", "ce-subject", "%C3%28"))
          .problem(400, "invalid_attribute"); // not UTF-8
      assertThat(api.revision(db)).isZero();
    }

    @Test
    void ce_datacontenttype_is_not_a_binary_mode_header() {
      api.post(events(), "text/plain", "x", binaryHeaders("d1", "ce-datacontenttype", "text/plain"))
          .problem(400, "invalid_attribute");
    }

    @Test
    void client_sent_revision_is_reserved() {
      api.post(events(), "text/plain", "x", binaryHeaders("r1", "ce-revision", "5"))
          .problem(400, "reserved_attribute");
    }
  }

  @Nested
  class structured_mode {
    @Test
    void appends_one_event() {
      String event =
          Api.event(
              "s1",
              "/orders",
              "OrderPlaced",
              "order-1",
              "\"time\":\"2024-02-29T23:59:59.5+01:00\",\"datacontenttype\":\"application/json\","
                  + "\"data\":{\"total\":12}");
      Response r = api.post(events(), "application/cloudevents+json; charset=UTF-8", event);
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      JsonNode e = stored(1);
      assertThat(e.get("time").stringValue()).isEqualTo("2024-02-29T23:59:59.5+01:00");
      assertThat(e.get("data").get("total").intValue()).isEqualTo(12);
    }

    @Test
    void text_and_binary_data_round_trip() {
      String text =
          Api.event(
              "t", "/s", "T", null, "\"datacontenttype\":\"text/csv\",\"data\":\"a,b\\n1,2\"");
      String binary =
          Api.event(
              "b",
              "/s",
              "T",
              null,
              "\"datacontenttype\":\"image/png\",\"data_base64\":\"iVBORw0KGgo=\"");
      assertThat(api.post(events(), "application/cloudevents+json", text).status()).isEqualTo(201);
      assertThat(api.post(events(), "application/cloudevents+json", binary).status())
          .isEqualTo(201);
      assertThat(stored(1).get("data").stringValue()).isEqualTo("a,b\n1,2");
      assertThat(stored(2).get("data_base64").stringValue()).isEqualTo("iVBORw0KGgo=");
    }

    @Test
    void malformed_events_are_refused() {
      api.post(events(), "application/cloudevents+json", "{\"specversion\":\"1.0\",")
          .problem(400, "malformed_json");
      api.post(
              events(),
              "application/cloudevents+json",
              "{\"specversion\":\"1.0\",\"id\":\"1\",\"type\":\"t\"}")
          .problem(400, "missing_attribute");
      assertThat(api.revision(db)).isZero();
    }
  }

  @Nested
  class batch_mode {
    @Test
    void appends_the_array_as_one_transaction() {
      String batch =
          "[" + Api.event("1", "/s", "T", "a") + "," + Api.event("2", "/s", "T", "b") + "]";
      Response r = api.post(events(), "application/cloudevents-batch+json", batch);
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(r.json().get("first_revision").longValue()).isEqualTo(1);
      assertThat(r.json().get("revision").longValue()).isEqualTo(2);
      assertThat(r.json().get("event_count").intValue()).isEqualTo(2);
    }

    @Test
    void one_bad_event_stores_nothing_and_names_its_index() {
      String batch =
          "["
              + Api.event("1", "/s", "T", "a")
              + ",{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/s\"}]";
      JsonNode p =
          api.post(events(), "application/cloudevents-batch+json", batch)
              .problem(400, "missing_attribute");
      assertThat(p.get("index").intValue()).isEqualTo(1);
      assertThat(api.revision(db)).isZero();
    }

    @Test
    void a_batch_must_be_an_array() {
      api.post(events(), "application/cloudevents-batch+json", Api.event("1", "/s", "T", null))
          .problem(400, "malformed_request");
    }
  }

  @Test
  void a_plain_json_body_without_ce_headers_is_415() {
    JsonNode p =
        api.post(events(), "application/json", Api.event("1", "/s", "T", null))
            .problem(415, "unsupported_media_type");
    assertThat(p.get("detail").stringValue()).contains("application/cloudevents+json");
  }

  @Test
  void oversized_bodies_are_413() {
    byte[] body = new byte[ServerTest.MAX_REQUEST_BYTES + 1];
    JsonNode p =
        api.post(events(), "application/octet-stream", body, binaryHeaders("big"))
            .problem(413, "body_too_large");
    assertThat(p.get("limit").longValue()).isEqualTo(ServerTest.MAX_REQUEST_BYTES);
    assertThat(api.revision(db)).isZero();
  }
}
