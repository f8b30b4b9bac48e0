// A short tone for an offer that arrives while the tab is hidden: made by
// Web Audio, so no media file and nothing fetched.
let context;

export function ring() {
  try {
    context = context || new AudioContext();
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, context.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + 0.6);
    osc.connect(gain).connect(context.destination);
    osc.start();
    osc.stop(context.currentTime + 0.6);
  } catch {
    /* no audio: the title and the live region still say it */
  }
}
