package io.evidentsource.storage.dynamodb;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;

/**
 * Events too large for a notification (SNS holds 256 KiB per message, Kafka about 1 MB per record)
 * are announced without their data and with the CloudEvents {@code dataref} extension (the claim
 * check of the CloudEvents extension of that name, docs/dynamodb.md#large-events) naming where the
 * complete event is read: the server's event resource {@code
 * /api/v1/databases/{database}/events/{revision}}, a URI reference relative to the server's base
 * URL. Such an event can never poison its database's notifications.
 */
public final class NotificationData {
  /** The CloudEvents extension that carries the reference. */
  public static final String DATAREF = "dataref";

  private NotificationData() {}

  /** {@code stored} without its data, with {@code dataref} naming its event resource. */
  public static StoredEvent byReference(DatabaseName database, StoredEvent stored) {
    var event =
        stored.event().toBuilder()
            .data(null)
            .extension(DATAREF, reference(database, stored.revision()))
            .build();
    return new StoredEvent(stored.revision(), stored.recordedTime(), event);
  }

  /** The event resource of {@code revision}, relative to the server's base URL. */
  public static String reference(DatabaseName database, long revision) {
    return "/api/v1/databases/" + database.value() + "/events/" + revision;
  }
}
