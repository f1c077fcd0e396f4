package io.evidentsource.server.grpc;

import static io.evidentsource.api.ProtoCloudEvents.instant;

import io.evidentsource.api.v1.QueryEventsRequest;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;

/**
 * A {@code QueryEventsRequest} as a core {@link EventQuery}: the same defaults as REST (limit 100,
 * from revision 1, forward, by revision).
 */
final class QueryMapping {
  private QueryMapping() {}

  static EventQuery query(QueryEventsRequest r) {
    int limit = r.getLimit() == 0 ? EventQuery.DEFAULT_LIMIT : r.getLimit();
    return new EventQuery(
        SelectorMapping.selector(r.hasSelector(), r.getSelector(), r.getSelectorText()),
        r.hasRevision() ? r.getRevision() : null,
        r.hasAsOfTransactionTime() ? instant(r.getAsOfTransactionTime()) : null,
        r.hasAsOfEffectiveTime() ? instant(r.getAsOfEffectiveTime()) : null,
        r.getFromRevision() == 0 ? 1 : r.getFromRevision(),
        r.hasToRevision() ? r.getToRevision() : null,
        r.getDirection() == io.evidentsource.api.v1.Direction.DIRECTION_BACKWARD
            ? Direction.BACKWARD
            : Direction.FORWARD,
        r.getOrder() == io.evidentsource.api.v1.Order.ORDER_EFFECTIVE_TIME
            ? Order.EFFECTIVE_TIME
            : Order.REVISION,
        limit,
        r.getPageToken().isEmpty() ? null : r.getPageToken());
  }
}
