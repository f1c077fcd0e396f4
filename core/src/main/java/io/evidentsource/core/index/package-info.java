/**
 * Per-database indexes: postings lists of revisions per stream, subject, type and tag, sorted keys
 * for prefix selectors, effective and recorded time, and event-id de-duplication. Built lazily from
 * the log and extended incrementally by one writer; readers see revision-bounded snapshots.
 */
@NullMarked
package io.evidentsource.core.index;

import org.jspecify.annotations.NullMarked;
