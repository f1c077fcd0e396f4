/**
 * Hand-written companions of the generated {@code evidentsource.v1} stubs that the server and the
 * JVM client share: the CloudEvents protobuf format as this API uses it ({@link
 * io.evidentsource.api.ProtoCloudEvents}) and timestamp conversion.
 */
@NullMarked
package io.evidentsource.api;

import org.jspecify.annotations.NullMarked;
