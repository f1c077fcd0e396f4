package io.evidentsource.storage.dynamodb;

/**
 * DynamoDB's own limits that bound what one append may write (docs/limits.md#storage), from the
 * DynamoDB developer guide's "Quotas": an item holds at most 400 KB, a {@code TransactWriteItems}
 * at most 100 items and 4 MB in all. DynamoDB counts KB and MB in powers of 1,024.
 */
final class DynamoDbLimits {
  private DynamoDbLimits() {}

  /** Largest item: 400 KB. */
  static final long ITEM_BYTES = 400L * 1024;

  /** Largest transaction, all items together: 4 MB. */
  static final long TRANSACTION_BYTES = 4L * 1024 * 1024;

  /** Most items in one transaction. */
  static final int TRANSACTION_ITEMS = 100;

  /**
   * An upper bound of the head update and the transaction record of an append: keys, revisions,
   * times, and the five audit texts of at most 256 characters each (1,280 bytes of UTF-8 at most 4
   * bytes a character would be 5,120; the record keeps characters, so 8 KiB bounds it).
   */
  static final long HEAD_AND_RECORD_BYTES = 8L * 1024;
}
