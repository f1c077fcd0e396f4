// The events table: TanStack Table for the columns, TanStack Virtual so that only the rows in
// view are in the page however many are loaded; nearing the end asks for the next page.
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef } from "react";
import { Link } from "react-router";
import type { StoredEvent } from "../api/types";
import { shortTime } from "../lib/format";

const ROW_HEIGHT = 34;
const column = createColumnHelper<StoredEvent>();

export interface EventsTableProps {
  database: string;
  rows: StoredEvent[];
  label: string;
  /** More rows exist beyond the loaded ones. */
  hasMore?: boolean;
  loading?: boolean;
  onLoadMore?: () => void;
  /** Query string for the detail links (e.g. the time travel in force). */
  linkQuery?: string;
}

export function EventsTable(props: EventsTableProps) {
  const { database, rows, hasMore, loading, onLoadMore } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const columns = useMemo(
    () => [
      column.accessor("revision", {
        header: "Revision",
        cell: (c) => (
          <Link
            to={`/databases/${encodeURIComponent(database)}/events/${c.getValue()}${props.linkQuery ?? ""}`}
            aria-label={`Event at revision ${c.getValue()}`}
          >
            {c.getValue()}
          </Link>
        ),
      }),
      column.accessor((e) => e.time ?? e.recordedtime, {
        id: "time",
        header: "Time",
        cell: (c) => <span title={`effective ${c.getValue()}; recorded ${c.row.original.recordedtime}`}>{shortTime(c.getValue())}</span>,
      }),
      column.accessor("type", { header: "Type", cell: (c) => <span title={c.getValue()}>{c.getValue()}</span> }),
      column.accessor("subject", {
        header: "Subject",
        cell: (c) => (c.getValue() === undefined ? <span className="hint">none</span> : <span title={c.getValue()}>{c.getValue()}</span>),
      }),
      column.accessor("source", { header: "Stream", cell: (c) => <span title={c.getValue()}>{c.getValue()}</span> }),
      column.accessor("tags", { header: "Tags", cell: (c) => <span title={c.getValue() ?? ""}>{c.getValue() ?? ""}</span> }),
    ],
    [database, props.linkQuery],
  );
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel() });
  const tableRows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;

  useEffect(() => {
    if (hasMore && !loading && onLoadMore && lastIndex >= tableRows.length - 25) onLoadMore();
  }, [lastIndex, tableRows.length, hasMore, loading, onLoadMore]);

  const top = items.length > 0 ? items[0]!.start : 0;
  const bottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  return (
    <div className="events-table" ref={scroller} tabIndex={-1} data-testid="events-scroller">
      <table aria-label={props.label} aria-rowcount={hasMore ? -1 : rows.length + 1}>
        <colgroup>
          <col style={{ width: "6.5rem" }} />
          <col style={{ width: "12.5rem" }} />
          <col style={{ width: "24%" }} />
          <col style={{ width: "17%" }} />
          <col style={{ width: "22%" }} />
          <col />
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id} aria-rowindex={1}>
              {g.headers.map((h) => (
                <th key={h.id} scope="col" className={h.column.id === "revision" ? "num" : undefined}>
                  {flexRender(h.column.columnDef.header, h.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {top > 0 ? (
            <tr className="spacer" aria-hidden="true">
              <td colSpan={6} style={{ height: top }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = tableRows[item.index]!;
            return (
              <tr key={row.id} className="event-row" aria-rowindex={item.index + 2} data-revision={row.original.revision}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={cell.column.id === "revision" ? "num" : undefined}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })}
          {bottom > 0 ? (
            <tr className="spacer" aria-hidden="true">
              <td colSpan={6} style={{ height: bottom }} />
            </tr>
          ) : null}
        </tbody>
      </table>
      {rows.length === 0 && !loading ? <p className="hint" style={{ padding: ".75rem" }}>No events.</p> : null}
    </div>
  );
}
