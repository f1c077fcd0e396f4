/**
 * The storage conformance kit: abstract JUnit suites for the ports a {@link
 * io.evidentsource.core.port.Storage} bundles. Each adapter's tests extend every suite its {@link
 * io.evidentsource.core.port.StorageCapabilities} call for ({@link
 * io.evidentsource.storage.tck.TckSuite}) with a factory method, and run {@link
 * io.evidentsource.storage.tck.TckCoverageTck}, which fails when one is left out; nothing is
 * skipped.
 */
@NullMarked
package io.evidentsource.storage.tck;

import org.jspecify.annotations.NullMarked;
