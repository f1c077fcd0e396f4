package io.evidentsource.storage.tck;

import io.evidentsource.core.port.StorageCapabilities;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The conformance suites of the kit and which storages must run them, by their {@link
 * StorageCapabilities}. {@link TckCoverageTck} fails an adapter whose tests leave out a suite its
 * capabilities call for, so a suite is never skipped by forgetting it.
 */
public enum TckSuite {
  /** Create, list, find and delete databases. Every storage. */
  CATALOG(CatalogTck.class, any()),
  /** Compare-and-set appends, idempotency records, reads. Every storage. */
  APPEND(AppendTck.class, any()),
  /** Many writers on one database: no lost or doubled revision. Every storage. */
  CONCURRENCY(ConcurrencyTck.class, any()),
  /** The event store's semantics on the adapter. Every storage. */
  EVENT_STORE(EventStoreTck.class, any()),
  /** Published components. Every storage. */
  COMPONENT_REGISTRY(ComponentRegistryTck.class, any()),
  /**
   * Live tails over the storage's notifications: pushed or polled, both must deliver every revision
   * once and in order. Every storage.
   */
  SUBSCRIPTION(SubscriptionTck.class, any()),
  /**
   * Two instances on the same backing store see each other's commits, conditions, components and
   * notifications. Storages {@link StorageCapabilities#sharedAcrossInstances() shared across
   * instances}.
   */
  SHARED_INSTANCES(SharedStorageTck.class, StorageCapabilities::sharedAcrossInstances),
  /**
   * Sealed index segments are stored once, whole, and read back (ADR 0011), so a cold instance need
   * not read the whole log. Storages {@link StorageCapabilities#sharedAcrossInstances() shared
   * across instances}.
   */
  INDEX_SEGMENTS(IndexSegmentStoreTck.class, StorageCapabilities::sharedAcrossInstances),
  /**
   * An index segment rebuild while writers append seals what an index of the log seals, and a lazy
   * index over the result answers as one built from the log (ADR 0011, "Rebuild"). Storages {@link
   * StorageCapabilities#sharedAcrossInstances() shared across instances}.
   */
  INDEX_REBUILD(IndexRebuildTck.class, StorageCapabilities::sharedAcrossInstances);

  private final Class<?> suite;

  @SuppressWarnings("ImmutableEnumChecker") // the predicates are stateless method references
  private final Predicate<StorageCapabilities> appliesTo;

  TckSuite(Class<?> suite, Predicate<StorageCapabilities> appliesTo) {
    this.suite = suite;
    this.appliesTo = appliesTo;
  }

  @SuppressWarnings("UnnecessaryLambda") // reads as the enum constants' table: any, or a flag
  private static Predicate<StorageCapabilities> any() {
    return capabilities -> true;
  }

  /** The abstract suite class an adapter's test class extends. */
  public Class<?> suite() {
    return suite;
  }

  /** Whether a storage with these capabilities must run this suite. */
  public boolean appliesTo(StorageCapabilities capabilities) {
    return appliesTo.test(capabilities);
  }

  /** Every suite a storage with these capabilities must run, in declaration order. */
  public static List<TckSuite> requiredFor(StorageCapabilities capabilities) {
    return Arrays.stream(values()).filter(s -> s.appliesTo(capabilities)).toList();
  }
}
