// lib/task: what a card or page is doing with the core, one thing at a time.
import { describe, expect, it } from "vitest";
import { Task } from "../src/lib/task.svelte";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

const refusal = { code: "wrong_password", message: "The current password is not right." };

describe("run", () => {
  it("says what the work did, and which action ran while it ran", async () => {
    const task = new Task();
    const saving = deferred<string>();
    const ran = task.run(() => saving.promise, "save");
    expect(task.busy).toBe(true);
    expect(task.running).toBe("save");
    saving.resolve("Saved.");
    expect(await ran).toBe(true);
    expect(task).toMatchObject({ busy: false, running: "", done: "Saved.", error: "", code: null });
  });

  it("keeps the core's refusal and its code, and forgets what it did before", async () => {
    const task = new Task();
    await task.run(async () => "Saved.");
    expect(
      await task.run(async () => {
        throw refusal;
      }),
    ).toBe(false);
    expect(task).toMatchObject({ busy: false, done: "", error: refusal.message, code: refusal.code });
  });

  it("says a local check's Error by its message alone", async () => {
    const task = new Task();
    await task.run(async () => {
      throw new Error("The passwords do not match.");
    });
    expect(task.error).toBe("The passwords do not match.");
  });

  it("forgets both on clear, when the owner edits again", async () => {
    const task = new Task();
    await task.run(async () => "Saved.");
    task.clear();
    expect(task).toMatchObject({ done: "", error: "", code: null });
  });
});

describe("attempt", () => {
  it("hands back the answer without being busy", async () => {
    const task = new Task();
    const picking = deferred<string | null>();
    const picked = task.attempt(() => picking.promise);
    expect(task.busy).toBe(false);
    picking.resolve("/home/ann/report.pdf");
    expect(await picked).toBe("/home/ann/report.pdf");
  });

  it("keeps the refusal and answers undefined", async () => {
    const task = new Task();
    expect(await task.attempt(() => Promise.reject(refusal))).toBeUndefined();
    expect(task.error).toBe(refusal.message);
  });
});

describe("load", () => {
  it("shows only the newest answer, and is busy until it comes", async () => {
    const task = new Task();
    const shown: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = task.load(() => older.promise, (answer) => shown.push(answer));
    const second = task.load(() => newer.promise, (answer) => shown.push(answer));
    newer.resolve("ann");
    await second;
    expect(task.busy).toBe(false);
    older.resolve("a");
    await first;
    expect(shown).toEqual(["ann"]);
  });

  it("keeps the newest refusal, clears what no longer holds, and forgets it on the next answer", async () => {
    const task = new Task();
    let shown = "list";
    await task.load(
      () => Promise.reject(refusal),
      (answer: string) => (shown = answer),
      () => (shown = ""),
    );
    expect(task.error).toBe(refusal.message);
    expect(shown).toBe("");
    await task.load(async () => "list again", (answer) => (shown = answer));
    expect(task.error).toBe("");
    expect(shown).toBe("list again");
  });

  it("ignores a stale refusal", async () => {
    const task = new Task();
    const older = deferred<string>();
    const first = task.load(() => older.promise, () => {});
    const second = task.load(async () => "newest", () => {});
    await second;
    older.reject(refusal);
    await first;
    expect(task.error).toBe("");
  });
});
