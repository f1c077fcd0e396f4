package io.evidentsource.core.query;

import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Which page of its result a query reads: the first, at a {@link Snapshot}, or the next one after
 * an earlier page, whose {@link PageToken} pins that page's snapshot. A later page therefore cannot
 * name a snapshot of its own.
 */
public sealed interface Page {

  /**
   * Calls the function for this page's kind and returns its result. This is the one way to dispatch
   * on the kind: each kind has its own parameter, so a new kind breaks the build of every caller
   * until it handles it (Java 17 has no pattern {@code switch}).
   */
  <R> R match(Function<First, R> first, Function<Next, R> next);

  /**
   * The first page, read at {@code snapshot}.
   *
   * @param snapshot the revision the query reads (and later pages keep)
   */
  record First(Snapshot snapshot) implements Page {
    public First {
      Objects.requireNonNull(snapshot, "snapshot");
    }

    @Override
    public <R> R match(Function<First, R> first, Function<Next, R> next) {
      return first.apply(this);
    }
  }

  /**
   * The page after the one that returned {@code token}, at that page's snapshot.
   *
   * @param token the earlier page's {@code next_page_token}
   */
  record Next(PageToken token) implements Page {
    public Next {
      Objects.requireNonNull(token, "token");
    }

    @Override
    public <R> R match(Function<First, R> first, Function<Next, R> next) {
      return next.apply(this);
    }
  }

  /** The first page at {@code snapshot}. */
  static Page first(Snapshot snapshot) {
    return new First(snapshot);
  }

  /**
   * The page after the one that returned {@code pageToken}.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code INVALID_PAGE_TOKEN} when the
   *     text is not a page token
   */
  static Page after(String pageToken) {
    return new Next(PageToken.decode(pageToken));
  }

  /**
   * The page a request names with its snapshot parameters and optional {@code page_token}. A
   * request for a later page may repeat the snapshot parameters of the first (clients resend the
   * same parameters), but they must name the snapshot the token pinned.
   *
   * @throws io.evidentsource.core.error.EvidentSourceException {@code INVALID_PAGE_TOKEN} when the
   *     token is not one or pinned another snapshot
   */
  static Page of(Snapshot snapshot, @Nullable String pageToken) {
    if (pageToken == null) {
      return first(snapshot);
    }
    var token = PageToken.decode(pageToken);
    if (!token.pins(snapshot)) {
      throw PageToken.invalid();
    }
    return new Next(token);
  }
}
