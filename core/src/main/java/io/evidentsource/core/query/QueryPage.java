package io.evidentsource.core.query;

import io.evidentsource.core.model.StoredEvent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a query.
 *
 * @param revision the snapshot revision the page was read at (pinned for later pages)
 * @param events the events, in the query's order
 * @param nextPageToken pass to get the next page, or null when this is the last
 */
public record QueryPage(long revision, List<StoredEvent> events, @Nullable String nextPageToken) {
  public QueryPage {
    events = List.copyOf(events);
  }
}
