/**
 * The DynamoDB + SNS production adapter: the DynamoDB log, with each committed transaction
 * published to an SNS topic as a CloudEvents JSON batch (docs/dynamodb.md#notifications, ADR 0006).
 */
@NullMarked
package io.evidentsource.storage.dynamodb.sns;

import org.jspecify.annotations.NullMarked;
