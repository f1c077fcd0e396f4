package io.evidentsource.wasm;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The guest's WASI clock: reads the instant the host set for the current call (the basis time), so
 * a replay sees the same time. One per pooled instance; set before each call.
 */
final class FixedClock extends Clock {
  private volatile Instant now = Instant.EPOCH;

  void set(Instant instant) {
    this.now = instant;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }
}
