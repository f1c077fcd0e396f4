package io.evidentsource.storage.tck;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.port.AppendRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** Small factories shared by the suites. */
public final class TckFixtures {
  private static final AtomicLong SEQ = new AtomicLong();

  private TckFixtures() {}

  /** A database name unique within this JVM, so suites may share one adapter instance. */
  public static DatabaseName uniqueDatabase(String prefix) {
    return DatabaseName.of(prefix + "-" + SEQ.incrementAndGet());
  }

  /** A small event with a unique id. */
  public static Event event(String subject) {
    return Event.builder()
        .id(UUID.randomUUID().toString())
        .source("https://example.com/tck")
        .type("com.example.tck.happened")
        .subject(subject)
        .jsonData("{\"n\":" + SEQ.incrementAndGet() + "}")
        .build();
  }

  /** {@code n} small events. */
  public static List<Event> events(int n) {
    var out = new ArrayList<Event>(n);
    for (int i = 0; i < n; i++) {
      out.add(event("s-" + i));
    }
    return out;
  }

  /** An append request with a fresh transaction id. */
  public static AppendRequest append(
      DatabaseName db, long generation, long expectedHead, List<Event> events, Instant at) {
    return new AppendRequest(db, generation, expectedHead, events, UUID.randomUUID(), at);
  }

  /**
   * Returns once {@code done} holds, polling every 10 ms. It sets no deadline of its own: the
   * calling test's JUnit {@code @Timeout} bounds the wait (and interrupts it), so a slow machine
   * fails no test that time would pass, and a hang still ends.
   *
   * @param what what is awaited, for the failure message
   * @throws AssertionError when the waiting thread is interrupted, naming what was awaited
   */
  public static void awaitUntil(String what, BooleanSupplier done) {
    while (!done.getAsBoolean()) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
  }
}
