import { useTranslation } from "react-i18next";
import type { CountingLine } from "../bindings";

/**
 * A counting line in SVG, on a `width` × `height` canvas, with an arrow on
 * the side a crossing counts as up (상행): to the left of a → b as seen on
 * screen (crates/vision flow::line_counter).
 */
export function CountingLineMark({
  line,
  width,
  height,
  totals,
}: {
  line: CountingLine;
  width: number;
  height: number;
  totals?: { up: number; down: number };
}) {
  const { t } = useTranslation();
  // Floats cross as `number | null` in the bindings; a stored line always has all four.
  const [ax, ay, bx, by] = [(line.a.x ?? 0) * width, (line.a.y ?? 0) * height, (line.b.x ?? 0) * width, (line.b.y ?? 0) * height];
  const len = Math.hypot(bx - ax, by - ay) || 1;
  // Left of a → b with y pointing down: (dy, −dx).
  const [nx, ny] = [(by - ay) / len, -(bx - ax) / len];
  const arrow = Math.min(width, height) / 8;
  const head = arrow / 4;
  const [mx, my] = [(ax + bx) / 2, (ay + by) / 2];
  const stroke = Math.max(width, height) / 220;
  const font = Math.min(width, height) / 14;
  const label = (sx: number, sy: number, text: string) => (
    <text x={sx} y={sy} fill="#ffd60a" fontSize={font} textAnchor="middle" dominantBaseline="middle" stroke="#000" strokeWidth={stroke / 3} paintOrder="stroke">
      {text}
    </text>
  );
  return (
    <g data-testid="counting-line">
      <line x1={ax} y1={ay} x2={bx} y2={by} stroke="#ffd60a" strokeWidth={stroke * 1.5} strokeDasharray={`${stroke * 6} ${stroke * 3}`} />
      <line x1={mx} y1={my} x2={mx + nx * arrow} y2={my + ny * arrow} stroke="#ffd60a" strokeWidth={stroke} />
      <polygon
        points={[
          [mx + nx * arrow * 1.3, my + ny * arrow * 1.3],
          [mx + nx * arrow - ny * head, my + ny * arrow + nx * head],
          [mx + nx * arrow + ny * head, my + ny * arrow - nx * head],
        ]
          .map((p) => p.join(","))
          .join(" ")}
        fill="#ffd60a"
      />
      {label(mx + nx * arrow * 2, my + ny * arrow * 2, `${t("eventLogs.up")}${totals ? ` ${totals.up}` : ""}`)}
      {label(mx - nx * arrow * 1.3, my - ny * arrow * 1.3, `${t("eventLogs.down")}${totals ? ` ${totals.down}` : ""}`)}
    </g>
  );
}
