/**
 * Kafka ingress: an optional consumer that appends CloudEvents read from Kafka topics (Kafka
 * protocol binding, structured and binary content modes) to one database, exactly once, with
 * refused records sent to a dead-letter topic (docs/kafka-ingress.md).
 */
@NullMarked
package io.evidentsource.ingress.kafka;

import org.jspecify.annotations.NullMarked;
