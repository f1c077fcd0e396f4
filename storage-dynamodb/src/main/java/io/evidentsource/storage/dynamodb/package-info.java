/**
 * The DynamoDB storage adapter (docs/dynamodb.md, ADR 0006): catalog, event log and idempotency
 * records in DynamoDB tables named from a prefix; an append is one {@code TransactWriteItems}
 * guarded by the head revision, so any number of stateless server instances may append to the same
 * database. Published components live in a table and an S3 bucket shared by those instances (ADR
 * 0007).
 */
@NullMarked
package io.evidentsource.storage.dynamodb;

import org.jspecify.annotations.NullMarked;
