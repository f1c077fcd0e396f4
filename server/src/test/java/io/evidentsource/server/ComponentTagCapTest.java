package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * {@code evidentsource.observability.max-tagged-components}
 * (docs/operations.md#tags-and-cardinality) on a running server of its own (a cap of 2, no other
 * component published): the first two components get their name as the {@code component} tag of
 * {@code evidentsource_wasm_calls_total}, the third and fourth are counted together under {@code
 * component="_other"}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.profiles.active=memory",
      "spring.grpc.server.port=0",
      "evidentsource.observability.max-tagged-components=2",
    })
class ComponentTagCapTest {
  private static final String CALLS = "evidentsource_wasm_calls_total";
  private static final List<String> NAMES = List.of("first", "second", "third", "fourth");

  @LocalServerPort int port;

  @Test
  void components_beyond_the_cap_are_counted_under_other() {
    var api = new Api(port);
    String db = api.createDatabase();
    String base = "/api/v1/databases/" + db;
    api.append(db, Api.event("e1", "s", "Opened", "acct/1"));
    for (String name : NAMES) {
      var published =
          ComponentApiTest.multipartPublish(
              api,
              base + "/state-views",
              "{\"state_view_name\":\""
                  + name
                  + "\",\"content_type\":\"application/json\","
                  + "\"event_selector\":{\"type\":\"any\"}}",
              ComponentApiTest.COUNTER);
      assertThat(published.status()).as(published.text()).isEqualTo(201);
    }
    for (String name : NAMES) { // one evolve call each
      var view = api.get(base + "/state-views/" + name);
      assertThat(view.json().get("content").intValue()).as(view.text()).isEqualTo(1);
    }

    var scraped = Prometheus.scrape(api);
    var series =
        scraped.samples().stream()
            .filter(s -> s.name().equals(CALLS) && db.equals(s.labels().get("database")))
            .map(s -> Map.entry(s.labels(), s.value()))
            .toList();
    assertThat(series)
        .containsExactlyInAnyOrder(
            Map.entry(labels(db, "first"), 1.0),
            Map.entry(labels(db, "second"), 1.0),
            Map.entry(labels(db, "_other"), 2.0));
  }

  private static Map<String, String> labels(String db, String component) {
    return Map.of("database", db, "component", component, "kind", "state_view", "outcome", "ok");
  }
}
