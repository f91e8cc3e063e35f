// Keyboard movement in a tablist (WAI-ARIA Authoring Practices, tabs with automatic
// activation): arrows wrap around, Home and End jump to the ends.

/** The tab index a key moves to from `index` among `count` tabs; undefined for other keys. */
export function tabAfterKey(key: string, index: number, count: number): number | undefined {
  return {
    ArrowRight: (index + 1) % count,
    ArrowLeft: (index - 1 + count) % count,
    Home: 0,
    End: count - 1,
  }[key];
}
