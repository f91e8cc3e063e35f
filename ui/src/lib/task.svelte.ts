// One thing a card's button or switch does at a time (Match accounts, Sync Now): `busy`
// while it runs, so the control can be disabled and say so, and `error`, the core's refusal
// in words, cleared when it runs again.
import { toErrorReport } from "./api";

export class Task {
  busy = $state(false);
  error = $state("");

  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await work();
    } catch (e) {
      this.error = toErrorReport(e).message;
    } finally {
      this.busy = false;
    }
  }
}
