// The station settings form's flat values, and their conversion to and
// from the settings the Rust side stores (which checks every rule again).
import type { CountingLine, StationSettings, TriggerMode } from "../bindings";

type Region = [number, number, number, number];
/** A counting line's ends in percent of the frame: a.x, a.y, b.x, b.y. */
export type LinePercent = [number, number, number, number];

/** The demo conveyor's frame size (crates/datagen ConveyorSpec::demo). */
export const DEMO_FRAME: [number, number] = [640, 360];

/** Camera pixel formats a station can capture (crates/vision convert::PixelFormat). */
export const CAPTURABLE = ["MJPG", "YUYV", "RGB3", "BGR3", "GREY"];

export interface FormValues {
  name: string;
  active: boolean;
  sourceKind: StationSettings["source"]["kind"];
  /** A recorded MJPEG file in the data dir's recordings folder. */
  recording: string;
  device: string;
  fourcc: string;
  width: number;
  height: number;
  fps: number;
  model: string;
  wholeFrame: boolean;
  roi: Region;
  trigger: TriggerMode["mode"];
  everyMs: number;
  triggerRoi: Region;
  threshold: number;
  sensitivity: number;
  persistFrames: number;
  keepOkEvery: number;
  stopAfterNg: number;
  idleStopSeconds: number;
  /** Kept as it is: set by activating a model, not by this form. */
  previousModel: string | null;
  counterOn: boolean;
  counterPlace: string;
  line: LinePercent;
  counterSensitivity: number;
  fireOn: boolean;
  firePlace: string;
  fireSensitivity: number;
  smoke: boolean;
}

/** What a new station starts from: the demo line's settings, detectors off (each needs a place named). */
const NEW: Omit<FormValues, "name" | "active"> = {
  sourceKind: "demo",
  recording: "",
  device: "/dev/video0",
  fourcc: "MJPG",
  width: 1280,
  height: 720,
  fps: 30,
  model: "demo-washer",
  wholeFrame: false,
  roi: [192, 52, 256, 256],
  trigger: "partPresent",
  everyMs: 1000,
  triggerRoi: [192, 52, 256, 256],
  threshold: 25,
  sensitivity: 0,
  persistFrames: 1,
  keepOkEvery: 10,
  stopAfterNg: 3,
  idleStopSeconds: 120,
  previousModel: null,
  counterOn: false,
  counterPlace: "",
  line: [50, 5, 50, 95],
  counterSensitivity: 0.5,
  fireOn: false,
  firePlace: "",
  fireSensitivity: 0.5,
  smoke: true,
};

/** Percent (as typed, 0..100) to the frame's 0..1, to three decimals. */
const unit = (p: number) => Math.round(p * 10) / 1000;

export function lineToPercent(l: CountingLine): LinePercent {
  return [l.a.x, l.a.y, l.b.x, l.b.y].map((v) => Math.round((v ?? 0) * 1000) / 10) as LinePercent;
}

export function lineFromPercent([ax, ay, bx, by]: LinePercent): CountingLine {
  return { a: { x: unit(ax), y: unit(ay) }, b: { x: unit(bx), y: unit(by) } };
}

export function fromSettings(name: string, active: boolean, s: StationSettings | null): FormValues {
  if (s === null) return { name, active, ...NEW };
  const src = s.source;
  const trg = s.trigger;
  return {
    name,
    active,
    sourceKind: src.kind,
    recording: src.kind === "recording" ? src.file : NEW.recording,
    device: src.kind === "camera" ? src.device : NEW.device,
    fourcc: src.kind === "camera" ? src.fourcc : NEW.fourcc,
    width: src.kind === "camera" ? src.width : NEW.width,
    height: src.kind === "camera" ? src.height : NEW.height,
    fps: src.kind === "demo" ? NEW.fps : src.fps,
    model: s.model,
    wholeFrame: s.roi === null,
    roi: s.roi ?? NEW.roi,
    trigger: trg.mode,
    everyMs: trg.mode === "interval" ? trg.every_ms : NEW.everyMs,
    triggerRoi: trg.mode === "partPresent" ? trg.roi : (s.roi ?? NEW.triggerRoi),
    threshold: trg.mode === "partPresent" ? (trg.threshold ?? NEW.threshold) : NEW.threshold,
    sensitivity: s.sensitivity ?? 0,
    persistFrames: s.persistFrames,
    keepOkEvery: s.keepOkEvery,
    stopAfterNg: s.stopAfterNg ?? NEW.stopAfterNg,
    idleStopSeconds: s.idleStopSeconds ?? NEW.idleStopSeconds,
    previousModel: s.previousModel ?? null,
    counterOn: s.counter != null,
    counterPlace: s.counter?.place ?? NEW.counterPlace,
    line: s.counter != null ? lineToPercent(s.counter.line) : NEW.line,
    counterSensitivity: s.counter?.sensitivity ?? NEW.counterSensitivity,
    fireOn: s.fire != null,
    firePlace: s.fire?.place ?? NEW.firePlace,
    fireSensitivity: s.fire?.sensitivity ?? NEW.fireSensitivity,
    smoke: s.fire?.smoke ?? NEW.smoke,
  };
}

function trigger(v: FormValues): TriggerMode {
  switch (v.trigger) {
    case "interval":
      return { mode: "interval", every_ms: v.everyMs };
    case "partPresent":
      return { mode: "partPresent", roi: v.triggerRoi, threshold: v.threshold };
    default:
      return { mode: v.trigger };
  }
}

function source(v: FormValues): StationSettings["source"] {
  switch (v.sourceKind) {
    case "demo":
      return { kind: "demo" };
    case "recording":
      return { kind: "recording", file: v.recording, fps: v.fps };
    case "camera":
      return { kind: "camera", device: v.device, fourcc: v.fourcc, width: v.width, height: v.height, fps: v.fps };
  }
}

/** The frame the regions are drawn in: a recording's size is known only once it plays. */
export function frameOf(v: FormValues): [number, number] {
  switch (v.sourceKind) {
    case "demo":
      return DEMO_FRAME;
    case "camera":
      return [v.width || 1, v.height || 1];
    case "recording": {
      const right = Math.max(v.roi[0] + v.roi[2], v.triggerRoi[0] + v.triggerRoi[2], DEMO_FRAME[0]);
      const bottom = Math.max(v.roi[1] + v.roi[3], v.triggerRoi[1] + v.triggerRoi[3], DEMO_FRAME[1]);
      return [right, bottom];
    }
  }
}

export function toSettings(v: FormValues): StationSettings {
  return {
    source: source(v),
    model: v.model,
    roi: v.wholeFrame ? null : v.roi,
    trigger: trigger(v),
    sensitivity: v.sensitivity,
    persistFrames: v.persistFrames,
    keepOkEvery: v.keepOkEvery,
    stopAfterNg: v.stopAfterNg,
    idleStopSeconds: v.idleStopSeconds,
    previousModel: v.previousModel,
    counter: v.counterOn
      ? { place: v.counterPlace, line: lineFromPercent(v.line), sensitivity: v.counterSensitivity }
      : null,
    fire: v.fireOn ? { place: v.firePlace, sensitivity: v.fireSensitivity, smoke: v.smoke } : null,
  };
}
