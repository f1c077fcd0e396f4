import { useCallback, useEffect, useRef, useState } from "react";
import { queryEvents } from "../api/endpoints";
import type { StoredEvent } from "../api/types";

export interface EventPages {
  events: StoredEvent[];
  /** The snapshot revision the pages read at (the first page pins it). */
  revision: number | undefined;
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
  reload: () => void;
}

/**
 * The pages of GET .../events for `params` (without page_token): the first on change, the next
 * with the previous page's `next_page_token`, which pins the first page's snapshot revision.
 */
export function useEventPages(database: string, params: URLSearchParams): EventPages {
  const key = database + "?" + params.toString();
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [revision, setRevision] = useState<number>();
  const [token, setToken] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const inFlight = useRef(false);

  useEffect(() => {
    const gen = ++generation.current;
    const controller = new AbortController();
    setEvents([]);
    setToken(null);
    setRevision(undefined);
    setError(null);
    setLoading(true);
    inFlight.current = true;
    queryEvents(database, params, controller.signal)
      .then((page) => {
        if (gen !== generation.current) return;
        setEvents(page.events);
        setRevision(page.revision);
        setToken(page.next_page_token);
      })
      .catch((e: unknown) => {
        if (gen === generation.current && !controller.signal.aborted) setError(e);
      })
      .finally(() => {
        if (gen === generation.current) {
          inFlight.current = false;
          setLoading(false);
        }
      });
    return () => controller.abort();
  }, [key, tick]);

  const loadMore = useCallback(() => {
    if (!token || inFlight.current) return;
    const gen = generation.current;
    inFlight.current = true;
    setLoading(true);
    const next = new URLSearchParams(params);
    next.set("page_token", token);
    queryEvents(database, next)
      .then((page) => {
        if (gen !== generation.current) return;
        setEvents((old) => old.concat(page.events));
        setToken(page.next_page_token);
      })
      .catch((e: unknown) => {
        if (gen === generation.current) setError(e);
      })
      .finally(() => {
        if (gen === generation.current) {
          inFlight.current = false;
          setLoading(false);
        }
      });
  }, [token, key]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { events, revision, hasMore: token !== null, loading, error, loadMore, reload };
}
