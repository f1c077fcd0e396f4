package io.evidentsource.core.component;

import io.evidentsource.core.error.ErrorCode;
import java.util.List;
import java.util.Objects;

/**
 * The two kinds of component (docs/data-model.md#state-views-and-state-changes, docs/wasm-abi.md):
 * what the catalog ({@link ComponentCatalog}) and the registry ({@link ComponentRegistry}) key
 * publications by. A kind names its definition type, its guest export, the words errors use for it
 * and the error code of a missing one, so code that handles both kinds is written once. There are
 * exactly two instances, {@link #STATE_VIEW} and {@link #STATE_CHANGE}; compare them with {@code
 * ==}.
 *
 * @param <D> the definition a publication of this kind carries
 */
public final class ComponentKind<D extends ComponentDefinition> {
  /** Folds events into state: exports {@code evidentsource_evolve}. */
  public static final ComponentKind<StateViewDefinition> STATE_VIEW =
      new ComponentKind<>(
          "STATE_VIEW",
          StateViewDefinition.class,
          "evidentsource_evolve",
          "state view",
          "state_view",
          ErrorCode.STATE_VIEW_NOT_FOUND);

  /** Turns a command into events: exports {@code evidentsource_decide}. */
  public static final ComponentKind<StateChangeDefinition> STATE_CHANGE =
      new ComponentKind<>(
          "STATE_CHANGE",
          StateChangeDefinition.class,
          "evidentsource_decide",
          "state change",
          "state_change",
          ErrorCode.STATE_CHANGE_NOT_FOUND);

  private final String name;
  private final Class<D> definitionType;
  private final String entryPoint;
  private final String label;
  private final String field;
  private final ErrorCode notFound;

  private ComponentKind(
      String name,
      Class<D> definitionType,
      String entryPoint,
      String label,
      String field,
      ErrorCode notFound) {
    this.name = name;
    this.definitionType = definitionType;
    this.entryPoint = entryPoint;
    this.label = label;
    this.field = field;
    this.notFound = notFound;
  }

  /** Both kinds: {@link #STATE_VIEW}, {@link #STATE_CHANGE}. */
  public static List<ComponentKind<?>> values() {
    return List.of(STATE_VIEW, STATE_CHANGE);
  }

  /** The definition type of this kind's publications. */
  public Class<D> definitionType() {
    return definitionType;
  }

  /** The name of the guest export this kind must have. */
  public String entryPoint() {
    return entryPoint;
  }

  /** How messages name the kind: {@code state view}, {@code state change}. */
  public String label() {
    return label;
  }

  /**
   * How error fields and wire names name the kind: {@code state_view}, {@code state_change} (the
   * error field holding the component's name, the prefix of {@code state_view_name}).
   */
  public String field() {
    return field;
  }

  /** The error code of a name or version that is not published: {@code *_NOT_FOUND}. */
  public ErrorCode notFoundCode() {
    return notFound;
  }

  /**
   * A publication of this kind, typed by its definition.
   *
   * @throws IllegalArgumentException when {@code published} is of the other kind
   */
  @SuppressWarnings("unchecked") // the definition's type is checked against this kind's
  public PublishedComponent<D> cast(PublishedComponent<?> published) {
    Objects.requireNonNull(published, "published");
    if (published.id().kind() != this) {
      throw new IllegalArgumentException(published.id() + " is not a " + label);
    }
    if (!definitionType.isInstance(published.definition())) {
      throw new IllegalArgumentException(
          published.id()
              + " has a "
              + published.definition().getClass().getSimpleName()
              + ", not a "
              + definitionType.getSimpleName());
    }
    return (PublishedComponent<D>) published;
  }

  /** {@code STATE_VIEW} or {@code STATE_CHANGE}. */
  @Override
  public String toString() {
    return name;
  }
}
