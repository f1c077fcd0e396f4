/**
 * The EvidentSource server: a Spring Boot application serving the REST API of DESIGN §5 over the
 * core {@code EventStore}. Spring stays at this edge: configurations {@code new} up the storage
 * adapter and the core services, and package-private controllers translate HTTP to core calls.
 */
@NullMarked
package io.evidentsource.server;

import org.jspecify.annotations.NullMarked;
