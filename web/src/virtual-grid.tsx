// A grid that renders only the cells near the viewport (fixed cell size, the window scrolls), so a person with
// thousands of faces and a store with thousands of people cost what a screenful costs.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

interface Props<T> {
  items: readonly T[];
  cellWidth: number;
  cellHeight: number;
  keyOf: (item: T) => string | number;
  render: (item: T, index: number) => ComponentChildren;
  testId?: string;
}

const OVERSCAN_ROWS = 3;

export function VirtualGrid<T>({ items, cellWidth, cellHeight, keyOf, render, testId }: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [win, setWin] = useState({ columns: 1, first: 0, last: Math.min(items.length, 60) });
  useLayoutEffect(() => {
    const update = () => {
      const el = ref.current;
      if (!el) return;
      const columns = Math.max(1, Math.floor(el.clientWidth / cellWidth));
      const top = Math.max(0, -el.getBoundingClientRect().top);
      const firstRow = Math.max(0, Math.floor(top / cellHeight) - OVERSCAN_ROWS);
      const lastRow = Math.ceil((top + window.innerHeight) / cellHeight) + OVERSCAN_ROWS;
      const next = { columns, first: firstRow * columns, last: Math.min(items.length, lastRow * columns) };
      setWin((w) => (w.columns === next.columns && w.first === next.first && w.last === next.last ? w : next));
    };
    update();
    window.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      window.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [items, cellWidth, cellHeight]);
  const rows = Math.ceil(items.length / win.columns);
  const shown = items.slice(win.first, win.last);
  return (
    <div ref={ref} class="vgrid" data-testid={testId} style={{ height: `${rows * cellHeight}px` }}>
      {shown.map((item, k) => {
        const i = win.first + k;
        return (
          <div key={keyOf(item)} class="cell" style={{ left: `${(i % win.columns) * cellWidth}px`, top: `${Math.floor(i / win.columns) * cellHeight}px`, width: `${cellWidth}px`, height: `${cellHeight}px` }}>
            {render(item, i)}
          </div>
        );
      })}
    </div>
  );
}
