// One chart component for every report screen, on Chart.js (MIT, canvas).
// Chart.js, unlike ECharts and Recharts, runs with the prototypes the app
// freezes (tauri.conf.json `freezePrototype`). Screens describe series;
// the look (colours, axes, tooltips) is decided here once.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartData,
  type ChartOptions,
} from "chart.js";
import { Chart as ReactChart } from "react-chartjs-2";

ChartJS.register(BarController, LineController, BarElement, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Colours in series order. */
const PALETTE = ["#1677ff", "#52c41a", "#fa8c16", "#722ed1", "#13c2c2", "#eb2f96"];
export const RED = "#cf1322";

export interface Series {
  label: string;
  data: number[];
  kind?: "bar" | "line";
  color?: string;
  /** On the right-hand axis (shares, %). */
  right?: boolean;
  dashed?: boolean;
  /** A step line (control limits that change per point). */
  stepped?: boolean;
  /** Per point: its colour and radius (points out of control stand out). */
  pointColors?: string[];
  pointRadius?: number[];
}

/** How values read: plain counts, won, or percent. */
export type Unit = "count" | "won" | "percent";

function format(unit: Unit, v: number): string {
  if (unit === "percent") return `${v}%`;
  return v.toLocaleString("ko-KR");
}

/**
 * A bar or line chart of `series` over `labels`; `onClick` gets the index of
 * the label clicked. Horizontal charts put the labels on the left.
 */
export default function Chart({
  labels,
  series,
  unit = "count",
  rightUnit = "percent",
  horizontal = false,
  max,
  height = 280,
  onClick,
  testid,
}: {
  labels: string[];
  series: Series[];
  unit?: Unit;
  rightUnit?: Unit;
  horizontal?: boolean;
  max?: number;
  height?: number;
  onClick?: (index: number) => void;
  testid?: string;
}) {
  const data: ChartData<"bar" | "line", number[], string> = {
    labels,
    datasets: series.map((s, i) => {
      const color = s.color ?? PALETTE[i % PALETTE.length];
      return {
        type: s.kind ?? "bar",
        label: s.label,
        data: s.data,
        backgroundColor: s.kind === "line" ? (s.pointColors ?? color) : color,
        borderColor: color,
        borderWidth: s.kind === "line" ? 2 : 0,
        borderDash: s.dashed ? [6, 4] : undefined,
        stepped: s.stepped ? "middle" : false,
        pointBackgroundColor: s.pointColors ?? color,
        pointBorderColor: s.pointColors ?? color,
        pointRadius: s.pointRadius ?? (s.kind === "line" && !s.dashed ? 3 : 0),
        yAxisID: s.right ? "y1" : "y",
        order: s.kind === "line" ? 0 : 1,
      };
    }) as ChartData<"bar" | "line", number[], string>["datasets"],
  };
  const valueAxis = horizontal ? "x" : "y";
  const options: ChartOptions<"bar" | "line"> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: { duration: 250 },
    indexAxis: horizontal ? "y" : "x",
    interaction: { mode: "index", intersect: false },
    plugins: {
      legend: { display: series.length > 1, position: "top" },
      tooltip: {
        callbacks: {
          label: (ctx) => {
            const s = series[ctx.datasetIndex];
            const v = Number(ctx.parsed[valueAxis]);
            return `${ctx.dataset.label}: ${format(s?.right ? rightUnit : unit, v)}`;
          },
        },
      },
    },
    scales: {
      [valueAxis]: { beginAtZero: true, max, ticks: { callback: (v: string | number) => format(unit, Number(v)) } },
      ...(series.some((s) => s.right)
        ? { y1: { position: "right" as const, beginAtZero: true, max: rightUnit === "percent" ? 100 : undefined, grid: { drawOnChartArea: false }, ticks: { callback: (v: string | number) => format(rightUnit, Number(v)) } } }
        : {}),
    },
    onClick: onClick
      ? (_event, elements) => {
          const hit = elements[0];
          if (hit) onClick(hit.index);
        }
      : undefined,
  };
  return (
    <div style={{ height, position: "relative" }} data-testid={testid}>
      <ReactChart type="bar" data={data} options={options} />
    </div>
  );
}

/** A share as a percent with two decimals, for charting. */
export function pct(share: number | null): number {
  return Math.round((share ?? 0) * 10000) / 100;
}
