// A search box the core answers: `text` is what is typed (bind the input to it), `query`
// the trimmed text once typing pauses, so the core is asked once per pause, not per key.
// Made while a component starts, and stops with it.

export class Search {
  text = $state("");
  query = $state("");

  constructor(delayMs: number) {
    $effect(() => {
      const text = this.text.trim();
      const timer = setTimeout(() => (this.query = text), delayMs);
      return () => clearTimeout(timer);
    });
  }
}
