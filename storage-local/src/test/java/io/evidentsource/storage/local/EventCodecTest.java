package io.evidentsource.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * JSON data keeps its bytes through the codec, in the layout earlier versions read (data kind 1),
 * and comes back not marked well-formed, so that writers check it.
 */
class EventCodecTest {
  private static final Instant RECORDED = Instant.parse("2026-12-07T03:00:00.123Z");
  private static final byte[] WELL_FORMED =
      "{\"name\":\"Zoë ✓ 😀\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] MALFORMED = {'"', 'a', (byte) 0xC0, (byte) 0xAF, '"'}; // overlong '/'

  @Test
  void json_data_is_stored_as_kind_1_whether_marked_or_not() {
    for (var data :
        new EventData.Json[] {
          new EventData.Json(WELL_FORMED, true), new EventData.Json(WELL_FORMED)
        }) {
      var event = Event.builder().id("e").source("s").type("t").data(data).build();
      byte[] value = EventCodec.encode(event, RECORDED);
      // the data kind sits right before the blob: its 4-byte length, then the bytes
      assertThat(value[value.length - WELL_FORMED.length - 5]).isEqualTo((byte) 1);
    }
  }

  @Test
  void json_data_comes_back_with_its_bytes_and_unmarked() {
    for (byte[] bytes : new byte[][] {WELL_FORMED, MALFORMED}) {
      var event =
          Event.builder()
              .id("e")
              .source("s")
              .type("t")
              .data(new EventData.Json(bytes, true))
              .build();
      var decoded = EventCodec.decode(7, EventCodec.encode(event, RECORDED));
      assertThat(decoded.event()).isEqualTo(event);
      var data = (EventData.Json) decoded.event().data();
      assertThat(data.utf8()).isEqualTo(bytes);
      assertThat(data.wellFormed()).isFalse();
    }
  }
}
