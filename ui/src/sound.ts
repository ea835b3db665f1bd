/** A short tone, so that someone not watching the screen hears it. */
export function beep(times = 1) {
  try {
    const ctx = new AudioContext();
    for (let i = 0; i < times; i++) {
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.3);
      osc.stop(ctx.currentTime + i * 0.3 + 0.15);
      if (i === times - 1) osc.onended = () => void ctx.close();
    }
  } catch {
    // No audio device: the banner still shows.
  }
}
