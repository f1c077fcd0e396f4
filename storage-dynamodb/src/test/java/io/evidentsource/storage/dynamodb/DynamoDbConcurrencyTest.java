package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.port.StorageAdapter;
import io.evidentsource.storage.tck.ConcurrencyTck;

/**
 * The concurrency suite against a real DynamoDB API. The moto server here answers on a single
 * thread ({@link MotoServer}), so each {@code TransactWriteItems} is atomic as in DynamoDB; moto's
 * default threaded server could let two conflicting transactions both pass its check-then-write.
 * Fewer threads and transactions than the in-memory run keep the emulator's serial work short.
 */
class DynamoDbConcurrencyTest extends ConcurrencyTck {
  private static final StorageAdapter ADAPTER = DynamoDbFixture.adapter();

  @Override
  protected StorageAdapter adapter() {
    return ADAPTER;
  }

  @Override
  protected int threads() {
    return 4;
  }

  @Override
  protected int transactionsPerThread() {
    return 20;
  }

  @Override
  protected int idempotencyRounds() {
    return 25;
  }
}
