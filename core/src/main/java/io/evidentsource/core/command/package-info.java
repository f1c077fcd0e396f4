/**
 * Transactions and their results: the command side that validates a batch, checks its append
 * conditions on the index and commits it with a compare-and-set on the head revision.
 */
@NullMarked
package io.evidentsource.core.command;

import org.jspecify.annotations.NullMarked;
