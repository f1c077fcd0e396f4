/**
 * Spring configuration: {@code @ConfigurationProperties} records with defaults and validation, the
 * storage profiles ({@code local}, the default; {@code memory}, {@code dynamodb-sns}, {@code
 * dynamodb-kafka}) and the beans of the core services, components and live subscriptions. The only
 * package of the server that touches storage adapters, cloud SDKs and the WebAssembly runtime.
 */
@NullMarked
package io.evidentsource.server.config;

import org.jspecify.annotations.NullMarked;
