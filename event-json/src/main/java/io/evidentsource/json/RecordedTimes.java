package io.evidentsource.json;

import io.evidentsource.core.model.InstantText;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The text of the recorded time one writer wrote last ({@link InstantText}): the events of a
 * transaction share their recorded time, and a stream or a page writes them one after another. One
 * instance per NDJSON stream or serialization call, so it is used by one thread at a time and never
 * answers with another writer's instant; not thread-safe.
 */
final class RecordedTimes {
  private @Nullable Instant last;
  private String text = "";

  /** The text of {@code instant}, {@link Instant#toString()}. */
  String text(Instant instant) {
    if (!instant.equals(last)) {
      text = InstantText.of(instant);
      last = instant;
    }
    return text;
  }
}
