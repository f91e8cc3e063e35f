import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import Term from "../src/components/Term.svelte";
import { glossary } from "../src/lib/glossary";

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
