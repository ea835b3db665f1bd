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

  it("switching the source to the camera keeps the camera fields", () => {
    const v = { ...fromSettings("a", true, demo), sourceKind: "camera" as const };
    expect(toSettings(v).source).toEqual({ kind: "camera", device: "/dev/video0", fourcc: "MJPG", width: 1280, height: 720, fps: 30 });
  });
});
