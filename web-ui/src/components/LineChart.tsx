// uPlot behind a small React component: a time axis and one or two series, resized with its box.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useTheme } from "./theme";

export interface Series {
  label: string;
  values: (number | null)[];
  /** Plot on a second axis at the right. */
  right?: boolean;
  color: string;
  bars?: boolean;
}

export function LineChart(props: { times: number[]; series: Series[]; label: string; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const theme = useTheme().resolved;
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const css = getComputedStyle(document.documentElement);
    const muted = css.getPropertyValue("--muted").trim() || "#666";
    const grid = css.getPropertyValue("--border").trim() || "#ddd";
    const axis = (scale: string, side: 1 | 3) => ({
      scale,
      side,
      stroke: muted,
      grid: { stroke: grid, width: 1, show: side === 3 },
      ticks: { stroke: grid },
    });
    const colors = props.series.map((s) => css.getPropertyValue(s.color).trim() || s.color);
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 300),
      height: props.height ?? 240,
      scales: { x: { time: true } },
      axes: [
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        axis("left", 3),
        ...(props.series.some((s) => s.right) ? [axis("right", 1)] : []),
      ],
      series: [
        {},
        ...props.series.map((s, i) => ({
          label: s.label,
          scale: s.right ? "right" : "left",
          stroke: colors[i],
          width: 2,
          fill: s.bars ? colors[i] + "33" : undefined,
          paths: s.bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
          points: { show: false },
        })),
      ],
    };
    const data: uPlot.AlignedData = [props.times, ...props.series.map((s) => s.values)];
    const plot = new uPlot(opts, data, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 300), height: opts.height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [props.times, props.series, props.height, theme]);
  return <div className="chart" ref={host} role="img" aria-label={props.label} />;
}
