package io.evidentsource.server.grpc;

import static io.evidentsource.api.ProtoCloudEvents.instant;

import io.evidentsource.api.v1.QueryEventsRequest;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.query.Direction;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.Order;
import io.evidentsource.core.query.Page;
import io.evidentsource.core.query.RevisionRange;
import io.evidentsource.core.query.Snapshot;
import io.evidentsource.core.selector.SelectorLimits;
import java.util.Map;

/**
 * A {@code QueryEventsRequest} as a core {@link EventQuery}: the same defaults as REST (limit 100,
 * from revision 1, forward, by revision).
 */
final class QueryMapping {
  private QueryMapping() {}

  /**
   * The query of a {@code QueryEvents} request, built from the same parts as the REST forms: 0
   * means "absent" for {@code from_revision} (1) and {@code limit} (100), and an empty {@code
   * page_token} means the first page.
   */
  static EventQuery query(QueryEventsRequest r, SelectorLimits selectorLimits) {
    Snapshot snapshot =
        Snapshot.of(
            r.hasRevision() ? r.getRevision() : null,
            r.hasAsOfTransactionTime() ? instant(r.getAsOfTransactionTime()) : null);
    return EventQuery.of(
            SelectorMapping.selector(
                r.hasSelector(), r.getSelector(), r.getSelectorText(), selectorLimits))
        .withPage(Page.of(snapshot, r.getPageToken().isEmpty() ? null : r.getPageToken()))
        .withRange(
            new RevisionRange(
                r.getFromRevision() == 0 ? 1 : r.getFromRevision(),
                r.hasToRevision() ? r.getToRevision() : null))
        .withOrder(order(r))
        .withDirection(direction(r))
        .withAsOfEffectiveTime(r.hasAsOfEffectiveTime() ? instant(r.getAsOfEffectiveTime()) : null)
        .withLimit(r.getLimit() == 0 ? EventQuery.DEFAULT_LIMIT : r.getLimit());
  }

  private static Order order(QueryEventsRequest r) {
    return switch (r.getOrder()) {
      case ORDER_UNSPECIFIED, ORDER_REVISION -> Order.REVISION;
      case ORDER_EFFECTIVE_TIME -> Order.EFFECTIVE_TIME;
      case UNRECOGNIZED ->
          throw new EvidentSourceException(
              ErrorCode.INVALID_QUERY,
              "'order' must be ORDER_REVISION or ORDER_EFFECTIVE_TIME, was " + r.getOrderValue(),
              Map.of("parameter", "order"));
    };
  }

  private static Direction direction(QueryEventsRequest r) {
    return switch (r.getDirection()) {
      case DIRECTION_UNSPECIFIED, DIRECTION_FORWARD -> Direction.FORWARD;
      case DIRECTION_BACKWARD -> Direction.BACKWARD;
      case UNRECOGNIZED ->
          throw new EvidentSourceException(
              ErrorCode.INVALID_QUERY,
              "'direction' must be DIRECTION_FORWARD or DIRECTION_BACKWARD, was "
                  + r.getDirectionValue(),
              Map.of("parameter", "direction"));
    };
  }
}
