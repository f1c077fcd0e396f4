/**
 * The storage conformance kit: abstract JUnit suites for the {@link
 * io.evidentsource.core.port.StorageAdapter} port. Each adapter's tests extend every suite with a
 * factory method; nothing is skipped, so a missing capability fails loudly.
 */
@NullMarked
package io.evidentsource.storage.tck;

import org.jspecify.annotations.NullMarked;
