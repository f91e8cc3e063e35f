// lib/events: listening to the shell's events for as long as a component lives. The shell's
// registration is a promise here, so the tests decide when it finishes.
import { afterEach, describe, expect, it, vi } from "vitest";
import { backend } from "../src/lib/api";
import { listening, onSyncFinishedWhenShown } from "../src/lib/events";
import { makeRun } from "./fixtures";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

describe("listening", () => {
  it("stops the listener once it is registered", async () => {
    const unlisten = vi.fn();
    const registering = deferred<() => void>();
    const stop = listening(registering.promise);
    registering.resolve(unlisten);
    // The helper took the listener first: it asked for it before this test did.
    await registering.promise;
    expect(unlisten).not.toHaveBeenCalled();
    stop();
    expect(unlisten).toHaveBeenCalledOnce();
  });

  it("stopped before the listener is registered, removes it as soon as it is", async () => {
    const unlisten = vi.fn();
    const registering = deferred<() => void>();
    const stop = listening(registering.promise);
    stop();
    registering.resolve(unlisten);
    await vi.waitFor(() => expect(unlisten).toHaveBeenCalledOnce());
  });

  it("says when the listener cannot be registered", async () => {
    const failed = vi.fn();
    listening(Promise.reject(new Error("no events here")), failed);
    await vi.waitFor(() => expect(failed).toHaveBeenCalledWith(new Error("no events here")));
  });
});

describe("onSyncFinishedWhenShown", () => {
  afterEach(() => vi.restoreAllMocks());

  /** The shell's listener, as the helper registers it, and its stop. */
  function shell() {
    const unlisten = vi.fn();
    let finished: ((run: ReturnType<typeof makeRun>) => void) | undefined;
    vi.spyOn(backend, "onSyncFinished").mockImplementation(async (handler) => {
      finished = handler;
      return unlisten;
    });
    return { unlisten, finish: () => finished?.(makeRun(7)) };
  }

  it("calls at once while the window is shown", () => {
    const { finish } = shell();
    const handler = vi.fn();
    onSyncFinishedWhenShown(handler);
    finish();
    expect(handler).toHaveBeenCalledOnce();
  });

  it("waits until a hidden window is shown again, then calls once", () => {
    const { finish } = shell();
    const visibility = vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    const handler = vi.fn();
    onSyncFinishedWhenShown(handler);
    finish();
    finish();
    document.dispatchEvent(new Event("visibilitychange"));
    expect(handler).not.toHaveBeenCalled();

    visibility.mockReturnValue("visible");
    document.dispatchEvent(new Event("visibilitychange"));
    document.dispatchEvent(new Event("visibilitychange"));
    expect(handler).toHaveBeenCalledOnce();
  });

  it("stops listening to the shell and to the window", async () => {
    const { finish, unlisten } = shell();
    const visibility = vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    const handler = vi.fn();
    const stop = onSyncFinishedWhenShown(handler);
    finish();
    stop();
    await vi.waitFor(() => expect(unlisten).toHaveBeenCalledOnce());
    visibility.mockReturnValue("visible");
    document.dispatchEvent(new Event("visibilitychange"));
    expect(handler).not.toHaveBeenCalled();
  });
});
