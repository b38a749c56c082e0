import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  readonly stroke: string;
  readonly bars?: boolean;
  /** A second y scale (drawn on the right) for values of another size. */
  readonly scale?: string;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A uPlot time-series chart sized to its container; `times` in seconds since the epoch. */
export function TimeChart({ times, series, height = 180, label }: { times: readonly number[]; series: readonly Series[]; height?: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = series.map((item) => `${item.label}:${item.bars ? 'b' : 'l'}:${item.scale ?? ''}`).join('|');

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid') }, ticks: { stroke: cssVar('--grid') } };
    const extraScales = [...new Set(series.map((item) => item.scale).filter((scale): scale is string => Boolean(scale)))];
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      axes: [axis, axis, ...extraScales.map((scale) => ({ ...axis, scale, side: 1, grid: { show: false } }))],
      series: [
        {},
        ...series.map((item) => ({
          label: item.label,
          scale: item.scale ?? 'y',
          stroke: item.stroke,
          width: 2,
          fill: item.bars ? item.stroke : undefined,
          paths: item.bars ? uPlot.paths.bars?.({ size: [0.6, 40] }) : undefined,
          points: { show: false },
        })),
      ],
    };
    plot.current = new uPlot(options, [[...times], ...series.map((item) => [...item.values])] as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([[...times], ...series.map((item) => [...item.values])] as uPlot.AlignedData);
  }, [times, series]);

  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
