package io.evidentsource.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The recorded-time writer against {@link Instant#toString()}, the text it must reproduce. */
class InstantTextTest {

  /** Edge cases, then 20,000 random instants over years -1200 to 11500 at every precision. */
  private static List<Instant> instants() {
    var instants =
        new ArrayList<>(
            List.of(
                Instant.EPOCH,
                Instant.MIN,
                Instant.MAX,
                Instant.parse("2024-02-29T23:59:59.999999999Z"),
                Instant.parse("2024-05-01T12:00:00.100Z"),
                Instant.parse("2024-05-01T12:00:00.000100Z"),
                Instant.parse("2024-05-01T12:00:00.000000100Z"),
                Instant.parse("2026-11-29T23:59:59.000000001Z"),
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("0000-01-01T00:00:00Z").minusNanos(1),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("1969-12-31T23:59:59.5Z"),
                Instant.parse("-0001-06-15T12:00:00.5Z")));
    var random = new Random(17);
    for (int i = 0; i < 20_000; i++) {
      long second = random.nextLong(-100_000_000_000L, 300_000_000_000L);
      int nano =
          switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          };
      instants.add(Instant.ofEpochSecond(second, nano));
    }
    return instants;
  }

  @Test
  void the_text_is_instant_to_string_for_every_instant() {
    for (Instant instant : instants()) {
      assertThat(InstantText.of(instant)).as("%s", instant).isEqualTo(instant.toString());
    }
  }

  @Test
  void writes_the_text_at_an_offset_and_returns_the_offset_after_it() {
    byte[] out = new byte[3 + InstantText.MAX_LENGTH + 2];
    for (Instant instant : instants()) {
      out[2] = '#';
      int end = InstantText.write(instant, out, 3);
      String expected = instant.toString();
      assertThat(end).isEqualTo(3 + expected.length());
      assertThat(new String(out, 3, end - 3, StandardCharsets.US_ASCII)).isEqualTo(expected);
      assertThat(out[2]).as("the byte before the offset").isEqualTo((byte) '#');
    }
  }

  @Test
  void max_length_is_the_longest_text_of_any_instant() {
    assertThat(InstantText.MAX_LENGTH).isEqualTo(Instant.MAX.toString().length());
    assertThat(Instant.MIN.toString().length()).isLessThan(InstantText.MAX_LENGTH);
  }

  @Test
  void refuses_an_array_too_short_for_the_text_and_writes_nothing() {
    Instant instant = Instant.parse("2026-11-29T10:15:30.123Z");
    byte[] out = new byte[10 + 23];
    assertThatThrownBy(() -> InstantText.write(instant, out, 11))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("24 bytes from offset 11");
    assertThat(out).containsOnly(0);
    assertThat(InstantText.write(instant, out, 9)).isEqualTo(33);
  }
}
