package io.evidentsource.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** JSON data keeps its bytes through the codec, and whether they are known well-formed UTF-8. */
class EventCodecTest {
  private static final Instant RECORDED = Instant.parse("2026-12-07T03:00:00.123Z");
  private static final byte[] WELL_FORMED =
      "{\"name\":\"Zoë ✓ 😀\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] MALFORMED = {'"', 'a', (byte) 0xC0, (byte) 0xAF, '"'}; // overlong '/'

  private static EventData.Json roundTrip(EventData.Json data) {
    var event = Event.builder().id("e").source("s").type("t").data(data).build();
    var decoded = EventCodec.decode(7, EventCodec.encode(event, RECORDED));
    assertThat(decoded.event()).isEqualTo(event);
    return (EventData.Json) decoded.event().data();
  }

  @Test
  void json_data_marked_well_formed_comes_back_marked() {
    assertThat(roundTrip(new EventData.Json(WELL_FORMED, true)).wellFormed()).isTrue();
  }

  @Test
  void unmarked_json_data_is_checked_once_when_written_and_comes_back_marked_when_well_formed() {
    assertThat(roundTrip(new EventData.Json(WELL_FORMED)).wellFormed()).isTrue();
    assertThat(roundTrip(new EventData.Json(MALFORMED)).wellFormed()).isFalse();
  }

  @Test
  void json_data_stored_before_the_mark_existed_comes_back_unmarked() {
    var event =
        Event.builder().id("e").source("s").type("t").data(new EventData.Json(WELL_FORMED)).build();
    byte[] value = EventCodec.encode(event, RECORDED);
    // the data kind sits right before the blob: its 4-byte length, then the bytes
    int kind = value.length - WELL_FORMED.length - 5;
    assertThat(value[kind]).isEqualTo((byte) 4);
    value[kind] = 1; // kind 1, as written before kind 4 existed
    var decoded = (EventData.Json) EventCodec.decode(7, value).event().data();
    assertThat(decoded.utf8()).isEqualTo(WELL_FORMED);
    assertThat(decoded.wellFormed()).isFalse();
  }
}
