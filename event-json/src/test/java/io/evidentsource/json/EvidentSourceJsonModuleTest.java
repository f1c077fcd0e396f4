package io.evidentsource.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EvidentSourceJsonModuleTest {
  record Page(long revision, List<StoredEvent> events, AppendCondition condition) {}

  @Test
  void writes_core_values_nested_in_other_objects_in_their_wire_shapes() {
    var mapper = JsonMapper.builder().addModule(new EvidentSourceJsonModule()).build();
    Event event = Event.builder().id("1").source("s").type("t").jsonData("{\"a\":1}").build();
    var stored = new StoredEvent(3, Instant.parse("2024-01-01T00:00:00Z"), event);
    var page = new Page(3, List.of(stored), AppendCondition.max(EventSelector.noSubject(), 2));

    assertThat(mapper.writeValueAsString(page))
        .isEqualTo(
            "{\"revision\":3,\"events\":["
                + CloudEventJson.toJson(stored)
                + "],"
                + "\"condition\":{\"type\":\"max\",\"selector\":{\"type\":\"equals\","
                + "\"attr\":{\"subject\":null}},\"revision\":2}}");
  }
}
