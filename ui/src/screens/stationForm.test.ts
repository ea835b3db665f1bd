import { describe, expect, it } from "vitest";
import type { StationSettings } from "../bindings";
import { fromSettings, toSettings } from "./stationForm";

const demo: StationSettings = {
  source: { kind: "demo" },
  model: "demo-washer",
  roi: [192, 52, 256, 256],
  trigger: { mode: "partPresent", roi: [192, 52, 256, 256], threshold: 25 },
  sensitivity: 0,
  persistFrames: 1,
  keepOkEvery: 10,
  stopAfterNg: 3,
  idleStopSeconds: 120,
  previousModel: null,
  counter: null,
  fire: null,
};

const camera: StationSettings = {
  source: { kind: "camera", device: "/dev/video2", fourcc: "YUYV", width: 1280, height: 720, fps: 15 },
  model: "bolt-2026",
  roi: null,
  trigger: { mode: "interval", every_ms: 750 },
  sensitivity: -0.2,
  persistFrames: 30,
  keepOkEvery: 0,
  stopAfterNg: 0,
  idleStopSeconds: 0,
  previousModel: "demo-washer",
  counter: { place: "정문", line: { a: { x: 0.125, y: 0.5 }, b: { x: 0.9, y: 0.333 } }, sensitivity: 0.7 },
  fire: { place: "도장 부스", sensitivity: 0.4, smoke: false },
};

describe("station form values", () => {
  it("give back the settings they were made from", () => {
    const recording: StationSettings = { ...demo, source: { kind: "recording", file: "line 1.mjpeg", fps: 15 } };
    for (const s of [demo, camera, recording, { ...demo, trigger: { mode: "manual" } } as StationSettings]) {
      expect(toSettings(fromSettings("line 1", true, s))).toEqual(s);
    }
  });

  it("keep the name and the active flag apart from the settings", () => {
    const v = fromSettings("검사 2", false, camera);
    expect(v.name).toBe("검사 2");
    expect(v.active).toBe(false);
    expect(v.wholeFrame).toBe(true);
  });

  it("start a new station from the demo line", () => {
    expect(toSettings(fromSettings("", true, null))).toEqual(demo);
  });

  it("show the counting line in percent and give back the frame's units", () => {
    const v = fromSettings("a", true, camera);
    expect(v.line).toEqual([12.5, 50, 90, 33.3]);
    expect(toSettings({ ...v, line: [0, 0, 100, 66.66] }).counter?.line).toEqual({ a: { x: 0, y: 0 }, b: { x: 1, y: 0.667 } });
    expect(toSettings({ ...v, counterOn: false, fireOn: false })).toMatchObject({ counter: null, fire: null });
  });

  it("switching the source to the camera keeps the camera fields", () => {
    const v = { ...fromSettings("a", true, demo), sourceKind: "camera" as const };
    expect(toSettings(v).source).toEqual({ kind: "camera", device: "/dev/video0", fourcc: "MJPG", width: 1280, height: 720, fps: 30 });
  });
});
