// What a card or page is doing with the core, one thing at a time (Match accounts, Sync Now,
// Save): `busy` while it runs, so the control can be disabled and say so; `error`, the core's
// refusal in words; `done`, what it did ("Saved."). Both are cleared when it runs again.
// `load` is for what a page shows, where only the newest answer counts.
import { toErrorReport } from "./api";

/** A failure in words: a local check's Error says its message, the core's refusal its own. */
function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : toErrorReport(e).message;
}

export class Task {
  busy = $state(false);
  /** Which of a card's actions is running (`run`'s `name`), for that button's busy words. */
  running = $state("");
  error = $state("");
  done = $state("");
  /** The core's code for `error` (ErrorCodes), for a page that acts on one refusal; null when none. */
  code: string | null = null;
  private asked = 0;

  /** Runs `work`, which may return what it did in words; true when it succeeded. */
  async run(work: () => Promise<string | void>, name = ""): Promise<boolean> {
    this.busy = true;
    this.running = name;
    const succeeded = await this.attempt(async () => {
      this.done = (await work()) ?? "";
      return true;
    });
    this.busy = false;
    this.running = "";
    return succeeded ?? false;
  }

  /**
   * Like `run`, but not busy: for a step that shows no progress (the system's file dialog
   * the owner answers, Open folder). Its answer, or undefined when it failed.
   */
  async attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.clear();
    try {
      return await work();
    } catch (e) {
      this.error = messageOf(e);
      this.code = toErrorReport(e).code;
      return undefined;
    }
  }

  /**
   * Asks the core for what a page shows, where a newer question makes older answers stale (a
   * new search, a new filter): only the newest answer is shown, or its refusal kept (`failed`
   * then clears what no longer holds), and `busy` lasts until it comes.
   */
  async load<T>(ask: () => Promise<T>, show: (answer: T) => void, failed?: () => void): Promise<void> {
    const turn = ++this.asked;
    this.busy = true;
    try {
      const answer = await ask();
      if (turn !== this.asked) return;
      show(answer);
      this.error = "";
    } catch (e) {
      if (turn !== this.asked) return;
      this.error = messageOf(e);
      failed?.();
    } finally {
      if (turn === this.asked) this.busy = false;
    }
  }

  /** Forgets what the last run said: the owner is changing something again. */
  clear() {
    this.error = "";
    this.done = "";
    this.code = null;
  }
}
