package io.evidentsource.storage.dynamodb;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The size DynamoDB counts for an item against its 400 KB item and 4 MB transaction limits, as
 * documented in "Item sizes and formats" of the DynamoDB developer guide: each attribute's name
 * (UTF-8 bytes) plus its value: strings in UTF-8 bytes, binaries in raw bytes, numbers at most 21
 * bytes, booleans and nulls 1 byte, lists and maps 3 bytes plus each element and 1 byte per
 * element. Numbers are counted at their largest, so the result is an upper bound within a few
 * bytes.
 */
final class ItemSize {
  private ItemSize() {}

  /** The size of {@code item} in bytes. */
  static long of(Map<String, AttributeValue> item) {
    long size = 0;
    for (Map.Entry<String, AttributeValue> a : item.entrySet()) {
      size += utf8(a.getKey()) + value(a.getValue());
    }
    return size;
  }

  private static long value(AttributeValue v) {
    if (v.s() != null) {
      return utf8(v.s());
    }
    if (v.n() != null) {
      return 21;
    }
    if (v.b() != null) {
      return v.b().asByteArrayUnsafe().length;
    }
    if (v.bool() != null || Boolean.TRUE.equals(v.nul())) {
      return 1;
    }
    if (v.hasL()) {
      long size = 3;
      for (AttributeValue e : v.l()) {
        size += value(e) + 1;
      }
      return size;
    }
    if (v.hasM()) {
      long size = 3;
      for (Map.Entry<String, AttributeValue> e : v.m().entrySet()) {
        size += utf8(e.getKey()) + value(e.getValue()) + 1;
      }
      return size;
    }
    if (v.hasSs()) {
      return v.ss().stream().mapToLong(ItemSize::utf8).sum();
    }
    if (v.hasNs()) {
      return 21L * v.ns().size();
    }
    if (v.hasBs()) {
      return v.bs().stream().mapToLong(b -> b.asByteArrayUnsafe().length).sum();
    }
    return 0;
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
