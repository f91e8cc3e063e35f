// lib/search: the core is asked once typing pauses, with the trimmed text. The clock is
// the test's, so the pause is exact.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { tick } from "svelte";
import SearchOwner from "./kit/SearchOwner.svelte";

describe("Search", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks once typing pauses, with the text trimmed, not once per key", async () => {
    const onQuery = vi.fn();
    render(SearchOwner, { onQuery });
    const box = screen.getByLabelText("Search");
    await fireEvent.input(box, { target: { value: "a" } });
    vi.advanceTimersByTime(150);
    await fireEvent.input(box, { target: { value: "ann " } });
    vi.advanceTimersByTime(150);
    await tick();
    expect(onQuery.mock.calls).toEqual([[""]]);

    vi.advanceTimersByTime(50);
    await tick();
    expect(onQuery.mock.calls).toEqual([[""], ["ann"]]);
  });

  it("stops with its component: the pause it was waiting for is forgotten", async () => {
    const { unmount } = render(SearchOwner, { onQuery: () => {} });
    await fireEvent.input(screen.getByLabelText("Search"), { target: { value: "ann" } });
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
