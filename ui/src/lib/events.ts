// Listening to the shell's events from a component's $effect: each helper returns the
// function that stops, for the effect to return.
import { backend } from "./api";

type Unlisten = () => void;

/**
 * Starts a listener (`backend.on…(handler)`) and returns its stop. Registering is
 * asynchronous: stopped before it finishes, the listener is removed as soon as it exists.
 * `onFailed` says what a page without the event does instead.
 */
export function listening(start: Promise<Unlisten>, onFailed: (e: unknown) => void = () => {}): Unlisten {
  let stop: Unlisten | null = null;
  let gone = false;
  start.then((unlisten) => (gone ? unlisten() : (stop = unlisten)), onFailed);
  return () => {
    gone = true;
    stop?.();
  };
}

/**
 * Calls `handler` when a sync run ends (the nightly one, in the tray, the command line). A
 * run that ends while the window is hidden is taken in when the window is shown again, not
 * before: asking the core counts as using the session, and an unattended window must still
 * time out.
 */
export function onSyncFinishedWhenShown(handler: () => void, onFailed?: (e: unknown) => void): Unlisten {
  let stale = false;
  const onShown = () => {
    if (stale && document.visibilityState === "visible") {
      stale = false;
      handler();
    }
  };
  document.addEventListener("visibilitychange", onShown);
  const stop = listening(
    backend.onSyncFinished(() => {
      if (document.visibilityState === "hidden") stale = true;
      else handler();
    }),
    onFailed,
  );
  return () => {
    stop();
    document.removeEventListener("visibilitychange", onShown);
  };
}
