package io.evidentsource.server.config;

import io.evidentsource.storage.dynamodb.DynamoDbStorageAdapter;
import io.evidentsource.storage.dynamodb.EventDataBucket;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * DynamoDB settings of the {@code dynamodb-sns} and {@code dynamodb-kafka} profiles, bound from
 * {@code evidentsource.dynamodb.*} (e.g. {@code EVIDENTSOURCE_DYNAMODB_TABLE_PREFIX=prod}).
 *
 * @param region the AWS region of the tables and the topic, e.g. {@code eu-west-1}
 * @param endpoint an endpoint override for DynamoDB, SNS and SQS (an emulator such as moto, or a
 *     VPC endpoint); unset for AWS
 * @param tablePrefix the prefix of the table names ({@code {prefix}-databases}, {@code -events},
 *     {@code -transactions}, {@code -indexes}, {@code -publications}, {@code -components}); 1-200
 *     characters of {@code [a-zA-Z0-9_.-]}, checked by the storage at start
 * @param createTables create missing tables (on-demand capacity) at start; when off, a missing
 *     table stops the start with an error naming it
 * @param maxAttempts attempts per AWS request including the first; throttling and transient errors
 *     are retried with jittered exponential backoff until then
 * @param cachedEvents committed events kept in memory per instance (they never change), 0 for none
 * @param publishLease how long one instance may publish a database's notifications without renewing
 *     its lease (a holder renews it every third of this while it publishes); after a crash another
 *     instance takes over when it expires
 * @param publishSweep how often the relay compares every database's head with its published
 *     watermark (one {@code Scan} of the catalog and one of the {@code -publications} table) to
 *     find commits left unannounced, e.g. by a crashed instance
 * @param componentsBucket the S3 bucket that holds the modules of published state views and state
 *     changes (content-addressed under {@code {table-prefix}/modules/}; ADR 0007); required,
 *     created at start when missing and {@code create-tables} is on
 * @param largeDataBytes event data larger than this is kept in the components bucket under {@code
 *     {table-prefix}/data/} and referenced from the event's item (the claim check of
 *     docs/dynamodb.md#large-events); 1 byte to 350 KB, below DynamoDB's 400 KB item limit
 * @param groupCommitTransactions group commit (docs/dynamodb.md#group-commit): the most concurrent
 *     transactions of one database an instance writes in one {@code TransactWriteItems}, 1 to 49
 *     (DynamoDB's 100 items per transaction); 1 turns it off
 * @param publishThreads how many databases one instance publishes at once (each database in order);
 *     1-256
 * @param purgeRate items of deleted databases one instance removes per second (DynamoDB {@code
 *     BatchWriteItem} deletes, about one write unit each), 0-10,000; 0 leaves purging to other
 *     instances
 * @param purgeInterval how often an instance looks for deleted databases left to purge (one {@code
 *     Scan} of the {@code -publications} table); a deletion on the instance starts its purge at
 *     once
 */
@ConfigurationProperties("evidentsource.dynamodb")
record DynamoDbProperties(
    @DefaultValue("us-east-1") String region,
    @Nullable URI endpoint,
    @DefaultValue("evidentsource") String tablePrefix,
    @DefaultValue("false") boolean createTables,
    @DefaultValue("8") int maxAttempts,
    @DefaultValue("20000") int cachedEvents,
    @DefaultValue("3s") Duration publishLease,
    @DefaultValue("2s") Duration publishSweep,
    @Nullable String componentsBucket,
    @DefaultValue("300KB") DataSize largeDataBytes,
    @DefaultValue("49") int groupCommitTransactions,
    @DefaultValue("4") int publishThreads,
    @DefaultValue("100") int purgeRate,
    @DefaultValue("30s") Duration purgeInterval) {

  DynamoDbProperties {
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.region must be set, e.g. eu-west-1");
    }
    if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.endpoint must be an absolute URL such as http://127.0.0.1:5000,"
              + " was '"
              + endpoint
              + "'");
    }
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.max-attempts must be between 1 and 100, was " + maxAttempts);
    }
    if (cachedEvents < 0) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.cached-events must be >= 0, was " + cachedEvents);
    }
    if (publishLease.isNegative() || publishLease.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.publish-lease must be positive, was " + publishLease);
    }
    if (largeDataBytes.toBytes() < 1 || largeDataBytes.toBytes() > EventDataBucket.MAX_THRESHOLD) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.large-data-bytes must be between 1B and "
              + EventDataBucket.MAX_THRESHOLD / 1024
              + "KB (below DynamoDB's 400 KB item limit), was "
              + largeDataBytes);
    }
    if (groupCommitTransactions < 1
        || groupCommitTransactions > DynamoDbStorageAdapter.MAX_GROUP_TRANSACTIONS) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.group-commit-transactions must be between 1 (off) and "
              + DynamoDbStorageAdapter.MAX_GROUP_TRANSACTIONS
              + " (DynamoDB's 100 items per transaction), was "
              + groupCommitTransactions);
    }
    if (publishSweep.isNegative() || publishSweep.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.publish-sweep must be positive, was " + publishSweep);
    }
    if (publishThreads < 1 || publishThreads > 256) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.publish-threads must be between 1 and 256, was "
              + publishThreads);
    }
    if (purgeRate < 0 || purgeRate > 10_000) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.purge-rate must be between 0 and 10000 items/s, was "
              + purgeRate);
    }
    if (purgeInterval.isNegative() || purgeInterval.isZero()) {
      throw new IllegalArgumentException(
          "evidentsource.dynamodb.purge-interval must be positive, was " + purgeInterval);
    }
  }

  /**
   * The components bucket, which must be set.
   *
   * @throws IllegalStateException naming the property when it is unset
   */
  String requiredComponentsBucket() {
    if (componentsBucket == null || componentsBucket.isBlank()) {
      throw new IllegalStateException(
          "evidentsource.dynamodb.components-bucket must be set: the S3 bucket that holds the"
              + " modules of published state views and state changes, shared by every instance"
              + " (e.g. EVIDENTSOURCE_DYNAMODB_COMPONENTS_BUCKET=my-evidentsource-components)");
    }
    return componentsBucket;
  }
}
