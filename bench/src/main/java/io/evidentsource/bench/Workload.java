package io.evidentsource.bench;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The synthetic event shapes every benchmark uses: order events on a few streams and types, one
 * subject per entity ({@code order-0} .. {@code order-9999}), about 200 bytes of JSON data each.
 */
final class Workload {
  /** Bytes of JSON data per event (exactly). */
  static final int DATA_BYTES = 200;

  /** Number of distinct subjects (entities) by default. */
  static final int DEFAULT_SUBJECTS = 10_000;

  static final String CONTENT_TYPE = "application/json";

  /** Streams (CloudEvents {@code source}); an event's stream follows from its type. */
  static final String[] STREAMS = {
    "https://shop.example.com/orders",
    "https://shop.example.com/payments",
    "https://shop.example.com/shipping",
  };

  /** Event types; type {@code i} lives on stream {@code STREAM_OF_TYPE[i]}. */
  static final String[] TYPES = {
    "com.example.order.placed",
    "com.example.order.item-added",
    "com.example.order.item-removed",
    "com.example.payment.captured",
    "com.example.payment.refunded",
    "com.example.shipment.dispatched",
  };

  static final int[] STREAM_OF_TYPE = {0, 0, 0, 1, 1, 2};

  private Workload() {}

  /** {@code order-0} .. {@code order-(n-1)}. */
  static String[] subjects(int n) {
    var out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = "order-" + i;
    }
    return out;
  }

  /**
   * A compact JSON object of exactly {@link #DATA_BYTES} UTF-8 bytes that mentions the subject and
   * a sequence number, so payloads differ.
   */
  static byte[] json(String subject, long seq) {
    String head =
        "{\"orderId\":\""
            + subject
            + "\",\"seq\":"
            + seq
            + ",\"customerId\":\"customer-"
            + (seq % 100_000)
            + "\",\"sku\":\"SKU-"
            + (seq % 9973)
            + "\",\"quantity\":"
            + (1 + seq % 7)
            + ",\"unitPrice\":\"19.99\",\"currency\":\"EUR\",\"note\":\"";
    String tail = "\"}";
    int pad = DATA_BYTES - head.length() - tail.length();
    if (pad < 0) {
      throw new IllegalArgumentException("subject too long for a " + DATA_BYTES + "-byte payload");
    }
    var sb = new StringBuilder(DATA_BYTES).append(head);
    for (int i = 0; i < pad; i++) {
      sb.append((char) ('a' + (i % 26)));
    }
    return sb.append(tail).toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** An event with JSON data, no time, no extensions (the canonical constructor, no builder). */
  static Event event(String id, int type, String subject, byte[] data) {
    return new Event(
        id,
        STREAMS[STREAM_OF_TYPE[type]],
        TYPES[type],
        subject,
        null,
        CONTENT_TYPE,
        null,
        Map.of(),
        new EventData.Json(data));
  }

  /**
   * The payload of an event in bytes: its data plus the UTF-8 bytes of every string attribute and
   * string extension value (what any representation must store at least once).
   */
  static long payloadBytes(Event e) {
    long n = (long) Utf8.length(e.id()) + Utf8.length(e.source()) + Utf8.length(e.type());
    if (e.subject() != null) {
      n += Utf8.length(e.subject());
    }
    if (e.time() != null) {
      n += Utf8.length(e.time().text());
    }
    if (e.dataContentType() != null) {
      n += Utf8.length(e.dataContentType());
    }
    if (e.dataSchema() != null) {
      n += Utf8.length(e.dataSchema());
    }
    for (var x : e.extensions().entrySet()) {
      if (x.getValue() instanceof String s) {
        n += Utf8.length(s);
      }
    }
    if (e.data() != null) {
      n += e.data().sizeBytes();
    }
    return n;
  }
}
