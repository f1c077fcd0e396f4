package io.evidentsource.storage.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemReaderTest {

  private static ItemReader reader(Map<String, AttributeValue> item) {
    return ItemReader.of("p-events", item, "db", "rev");
  }

  private static Map<String, AttributeValue> eventKey() {
    var item = new HashMap<String, AttributeValue>();
    item.put("db", AttributeValue.fromS("orders#1"));
    item.put("rev", AttributeValue.fromN("7"));
    return item;
  }

  @Nested
  class Reads {
    @Test
    void each_type_as_stored() {
      var item = eventKey();
      item.put("rt", AttributeValue.fromS("2026-01-01T00:00:00.123456789Z"));
      item.put("data", AttributeValue.fromB(SdkBytes.fromUtf8String("{}")));
      item.put("size", AttributeValue.fromN("42"));
      var r = reader(item);

      assertThat(r.string("db")).isEqualTo("orders#1");
      assertThat(r.number("rev")).isEqualTo(7);
      assertThat(r.intNumber("size")).isEqualTo(42);
      assertThat(r.instant("rt")).isEqualTo(Instant.parse("2026-01-01T00:00:00.123456789Z"));
      assertThat(r.bytes("data")).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void absent_optional_attributes_as_null_or_the_given_default() {
      var r = reader(eventKey());

      assertThat(r.optionalString("subj")).isNull();
      assertThat(r.optionalList("ext")).isNull();
      assertThat(r.number("published", 0)).isZero();
      assertThat(r.has("subj")).isFalse();
    }
  }

  @Nested
  class FailsNamingTableKeyAndAttribute {
    @Test
    void when_a_required_attribute_is_missing() {
      assertThatThrownBy(() -> reader(eventKey()).instant("rt"))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                assertThat(e.fields())
                    .containsEntry("table", "p-events")
                    .containsEntry("key", "{db=orders#1, rev=7}")
                    .containsEntry("attribute", "rt");
              })
          .hasMessage(
              "DynamoDB item {db=orders#1, rev=7} in table 'p-events': attribute 'rt' is missing"
                  + " (expected type S)");
    }

    @Test
    void when_an_attribute_has_another_type() {
      var item = eventKey();
      item.put("subj", AttributeValue.fromN("3"));

      assertThatThrownBy(() -> reader(item).optionalString("subj"))
          .hasMessageEndingWith("attribute 'subj' has type N, expected S");
    }

    @Test
    void when_a_value_does_not_parse() {
      var item = eventKey();
      item.put("rt", AttributeValue.fromS("yesterday"));
      item.put("size", AttributeValue.fromN("4294967296"));

      assertThatThrownBy(() -> reader(item).instant("rt"))
          .hasMessageEndingWith("attribute 'rt' is not an RFC 3339 instant: yesterday");
      assertThatThrownBy(() -> reader(item).intNumber("size"))
          .hasMessageEndingWith("attribute 'size' is out of the int range: 4294967296");
    }

    @Test
    void and_says_when_the_key_itself_is_missing() {
      assertThatThrownBy(() -> reader(Map.of()).string("id"))
          .hasMessageStartingWith(
              "DynamoDB item {db=(missing), rev=(missing)} in table 'p-events'");
    }
  }
}
