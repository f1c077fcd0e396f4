/**
 * The DynamoDB + Kafka production adapter: the DynamoDB log, with each committed event published to
 * a Kafka topic, keyed by database, following the CloudEvents Kafka protocol binding
 * (docs/dynamodb.md#notifications, ADR 0006).
 */
@NullMarked
package io.evidentsource.storage.dynamodb.kafka;

import org.jspecify.annotations.NullMarked;
