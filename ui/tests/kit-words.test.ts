import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import Term from "../src/components/Term.svelte";
import { glossary } from "../src/lib/glossary";
import { dailyUtc } from "../src/lib/time";

describe("Term", () => {
  it("shows its one-line meaning on demand, and hides it with the button or Escape", async () => {
    render(Term, { word: "keychain" });
    const help = screen.getByRole("button", { name: "What does “keychain” mean?" });
    expect(help).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByText(glossary.keychain.meaning)).not.toBeInTheDocument();

    await userEvent.click(help);
    expect(help).toHaveAttribute("aria-expanded", "true");
    const note = screen.getByText(glossary.keychain.meaning);
    expect(help).toHaveAttribute("aria-controls", note.id);

    await userEvent.keyboard("{Escape}");
    expect(screen.queryByText(glossary.keychain.meaning)).not.toBeInTheDocument();
    await userEvent.click(help);
    await userEvent.click(help);
    expect(screen.queryByText(glossary.keychain.meaning)).not.toBeInTheDocument();
  });

  it("keeps the words it is given and names the term it explains", () => {
    const children = createRawSnippet(() => ({ render: () => "<span>Mass-deactivation guard</span>" }));
    render(Term, { word: "guard", children });
    expect(screen.getByText("Mass-deactivation guard")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "What does “mass-deactivation guard” mean?" })).toBeInTheDocument();
  });

  it("every explanation is one line an owner can read", () => {
    for (const { name, meaning } of Object.values(glossary)) {
      expect(meaning.length, name).toBeLessThan(200);
      expect(meaning).toMatch(/^[A-Z].*\.$/);
    }
  });
});

describe("dailyUtc", () => {
  it("writes a UTC time of day with the local time of its next occurrence", () => {
    const now = new Date("2026-12-07T01:00:00Z");
    const here = new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(new Date("2026-12-07T03:00:00Z"));
    expect(dailyUtc(3, now)).toBe(`03:00 UTC — ${here} here`);
  });

  it("after today's, takes tomorrow's (daylight saving may differ)", () => {
    const now = new Date("2026-03-29T05:00:00Z");
    const here = new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(new Date("2026-03-30T03:00:00Z"));
    expect(dailyUtc(3, now)).toBe(`03:00 UTC — ${here} here`);
  });
});
