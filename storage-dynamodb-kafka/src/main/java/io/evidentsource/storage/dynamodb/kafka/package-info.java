/**
 * The DynamoDB + Kafka production adapter: the DynamoDB log, with each committed event published to
 * a Kafka topic, keyed by database, following the CloudEvents Kafka protocol binding (DESIGN §4).
 */
@NullMarked
package io.evidentsource.storage.dynamodb.kafka;

import org.jspecify.annotations.NullMarked;
