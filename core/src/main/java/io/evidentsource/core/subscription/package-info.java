/**
 * Live subscriptions (docs/queries.md#live-tails, ADR 0004): catch up from a revision, then follow
 * new commits, delivering every matching revision exactly once and in order through a bounded
 * buffer that cuts off a consumer which stops reading.
 */
@NullMarked
package io.evidentsource.core.subscription;

import org.jspecify.annotations.NullMarked;
