#!/usr/bin/env python3
"""The peer a plant would reach for to count people at a line: OpenCV's
MOG2 background subtractor, morphology, contours and a centroid tracker
(the recipe of the common OpenCV people-counter tutorials), given the same
counting band as Linesight (a track counts once it is clear of the line by
5 % of the frame's shorter side on both sides) and the same smallest object
(0.4 % of the frame). Reads the `linesight video … --truth` recordings in
DIR (`*.mjpeg` beside `*.json`), decodes every frame first and times only
the counting, one thread. Prints the same lines as Linesight's
`flow_bench DIR`.

    python3 models/tools/bench_flow_opencv.py DIR
"""

import json
import math
import sys
import time
from pathlib import Path

import cv2
import numpy as np

MARGIN = 0.05
MIN_AREA = 0.004
MAX_HIDDEN = 8
PROCESS_WIDTH = 160


def frames_of(path):
    """Splits an MJPEG file (JPEGs back to back) into decoded BGR frames."""
    data = path.read_bytes()
    out, start = [], 0
    while True:
        soi = data.find(b"\xff\xd8", start)
        if soi < 0:
            break
        eoi = data.find(b"\xff\xd9", soi + 2)
        if eoi < 0:
            break
        out.append(cv2.imdecode(np.frombuffer(data[soi : eoi + 2], np.uint8), cv2.IMREAD_COLOR))
        start = eoi + 2
    return out


class Counter:
    def __init__(self, line, width, height):
        scale = min(1.0, PROCESS_WIDTH / width)
        self.size = (max(1, round(width * scale)), max(1, round(height * scale)))
        w, h = self.size
        (ax, ay), (bx, by) = line
        self.a = np.array([ax * w, ay * h])
        self.b = np.array([bx * w, by * h])
        d = self.b - self.a
        self.normal = np.array([d[1], -d[0]]) / np.linalg.norm(d)  # left of a → b: up
        self.band = MARGIN * min(w, h)
        self.min_area = MIN_AREA * w * h
        self.max_dist = 0.25 * math.hypot(w, h)
        self.mog = cv2.createBackgroundSubtractorMOG2(history=300, varThreshold=16, detectShadows=True)
        self.kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        self.tracks = {}  # id → [centroid, hidden frames, side (-1, 0, 1)]
        self.next_id = 0
        self.up = self.down = 0

    def side(self, c):
        s = float(np.dot(c - self.a, self.normal))
        return 1 if s > self.band else -1 if s < -self.band else 0

    def push(self, frame):
        small = cv2.resize(frame, self.size, interpolation=cv2.INTER_AREA)
        mask = self.mog.apply(small)
        _, mask = cv2.threshold(mask, 200, 255, cv2.THRESH_BINARY)  # shadows (127) out
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.kernel)
        mask = cv2.dilate(mask, self.kernel, iterations=2)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        found = []
        for c in contours:
            if cv2.contourArea(c) >= self.min_area:
                m = cv2.moments(c)
                if m["m00"] > 0:
                    found.append(np.array([m["m10"] / m["m00"], m["m01"] / m["m00"]]))
        # Greedy nearest-centroid matching, closest pairs first.
        pairs = sorted(
            (np.linalg.norm(t[0] - c), tid, i) for tid, t in self.tracks.items() for i, c in enumerate(found)
        )
        used_t, used_c = set(), set()
        for dist, tid, i in pairs:
            if dist > self.max_dist or tid in used_t or i in used_c:
                continue
            used_t.add(tid)
            used_c.add(i)
            track = self.tracks[tid]
            track[0], track[1] = found[i], 0
            now = self.side(found[i])
            if now != 0 and track[2] != 0 and now != track[2]:
                if now > 0:
                    self.up += 1
                else:
                    self.down += 1
            if now != 0:
                track[2] = now
        for tid in list(self.tracks):
            if tid not in used_t:
                self.tracks[tid][1] += 1
                if self.tracks[tid][1] > MAX_HIDDEN:
                    del self.tracks[tid]
        for i, c in enumerate(found):
            if i not in used_c:
                self.tracks[self.next_id] = [c, 0, self.side(c)]
                self.next_id += 1


def main():
    cv2.setNumThreads(1)
    files = sorted(Path(sys.argv[1]).glob("*.mjpeg"))
    err = total = exact = frames_all = 0
    elapsed = 0.0
    for path in files:
        truth = json.loads(path.with_suffix(".json").read_text())
        frames = frames_of(path)
        h, w = frames[0].shape[:2]
        counter = Counter(truth["line"], w, h)
        t = time.perf_counter()
        for f in frames:
            counter.push(f)
        elapsed += time.perf_counter() - t
        frames_all += len(frames)
        e = abs(counter.up - truth["up"]) + abs(counter.down - truth["down"])
        err += e
        total += truth["up"] + truth["down"]
        exact += e == 0
        print(f"opencv {path.name}: counted up {counter.up} down {counter.down}, truth up {truth['up']} down {truth['down']}")
    n = max(1, len(files))
    print(
        f"opencv {cv2.__version__}: {len(files)} files, {total} crossings, exact {exact}/{len(files)}, "
        f"mean abs error {err / n:.2f}/file, {elapsed * 1e3 / max(1, frames_all):.3f} ms/frame"
    )


if __name__ == "__main__":
    main()
