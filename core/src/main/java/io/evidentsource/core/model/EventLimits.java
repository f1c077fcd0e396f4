package io.evidentsource.core.model;

/**
 * Configurable limits on what one request may write (docs/limits.md). All sizes count UTF-8 bytes.
 *
 * @param maxEventBytes largest event, in bytes, counted as attribute names and values plus data
 *     (default 65,536)
 * @param maxBatchEvents most events in one transaction (default 25; at most {@value
 *     #HARD_MAX_BATCH_EVENTS}, the DynamoDB transaction size less the head and idempotency items)
 * @param maxAttributeBytes longest {@code source}, {@code subject} or {@code type}, in bytes
 *     (default 1,024)
 */
public record EventLimits(int maxEventBytes, int maxBatchEvents, int maxAttributeBytes) {
  /** Upper bound of {@link #maxBatchEvents()}. */
  public static final int HARD_MAX_BATCH_EVENTS = 98;

  public EventLimits {
    if (maxEventBytes < 1024) {
      throw new IllegalArgumentException("maxEventBytes must be >= 1024, was " + maxEventBytes);
    }
    if (maxBatchEvents < 1 || maxBatchEvents > HARD_MAX_BATCH_EVENTS) {
      throw new IllegalArgumentException(
          "maxBatchEvents must be in 1.." + HARD_MAX_BATCH_EVENTS + ", was " + maxBatchEvents);
    }
    if (maxAttributeBytes < 1) {
      throw new IllegalArgumentException(
          "maxAttributeBytes must be >= 1, was " + maxAttributeBytes);
    }
  }

  /** The defaults (docs/limits.md): 64 KiB events, 25-event batches, 1024-byte attributes. */
  public static EventLimits defaults() {
    return new EventLimits(64 * 1024, 25, 1024);
  }
}
