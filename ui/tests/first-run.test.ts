// Connecting ends at the job (issue 23): the card at the top of the Entra page after
// connecting says what connecting did, links people imported before it by email, previews
// the first run (a dry run) and turns auto-deprovisioning on with the guard it keeps.
import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import FirstRunCard from "../src/screens/settings/entra/FirstRunCard.svelte";
import type { RunLine } from "../src/bindings/RunLine";
import type { UserPage } from "../src/bindings/UserPage";
import { callsTo, connection, makeCounts, makeOverview, makeRun, mockCore } from "./fixtures";

const overview = makeOverview({}, { connection });
const RESULT = "UniAsset registered its app in your organization and tested the connection.";

function line(email: string, outcome: RunLine["outcome"]): RunLine {
  return {
    user_id: 1,
    email,
    entra_object_id: "x",
    outcome,
    reason: "disabled_in_entra",
    detail: "",
    display_name: email.split("@")[0],
    detected_at: null,
    assets_to_recover: 0,
    sessions: null,
    sessions_at: null,
  };
}

const unlinked = (matching: number) => (): UserPage => ({
  users: [],
  offset: 0,
  matching,
  counts: makeCounts({ all: 5, active: 5, deactivated: 0, not_linked: matching }),
  may_add: true,
});

function renderCard(onTurnedOn = vi.fn()) {
  render(FirstRunCard, { overview, result: RESULT, onTurnedOn });
  return screen.getByRole("region", { name: "Connected" });
}

describe("after connecting", () => {
  it("says what connecting did and who the first run would deactivate, changing nothing", async () => {
    const calls = mockCore({
      preview_run: () =>
        makeRun(0, { id: null, dry_run: true, lines: [line("dana@northwind.example", "would_deactivate"), line("eli@northwind.example", "skipped_protected")] }),
      list_users: unlinked(0),
    });
    const card = renderCard();
    expect(within(card).getByText(RESULT)).toHaveAttribute("role", "status");
    expect(within(card).getByRole("heading", { name: "Connected" })).toHaveFocus();
    expect(await within(card).findByText(/^The first run would deactivate 1 person/)).toBeInTheDocument();
    expect(within(card).getByRole("listitem")).toHaveTextContent("dana (dana@northwind.example)");
    expect(within(card).queryByText(/eli@/)).not.toBeInTheDocument();
    expect(callsTo(calls, "entra_save")).toHaveLength(0);
  });

  it("turns auto-deprovisioning on with the guard it explains", async () => {
    const onTurnedOn = vi.fn();
    const on = makeOverview({}, { connection, auto_deprovision: true });
    const calls = mockCore({ preview_run: () => makeRun(0, { id: null, dry_run: true }), list_users: unlinked(0), entra_save: () => on });
    const card = renderCard(onTurnedOn);
    const button = within(card).getByRole("button", { name: "Turn on auto-deprovisioning" });
    expect(button).toHaveAccessibleDescription(/^Safety check: if a run would deactivate more than/);
    await userEvent.click(button);
    await waitFor(() => expect(onTurnedOn).toHaveBeenCalledWith(on));
    expect(callsTo(calls, "entra_save")[0].args).toEqual({ autoDeprovision: true, guard: overview.settings.guard });
  });

  it("offers to link by email the people it could not check, then previews again", async () => {
    let linked = false;
    const calls = mockCore({
      preview_run: () =>
        makeRun(0, { id: null, dry_run: true, lines: linked ? [line("dana@northwind.example", "would_deactivate")] : [] }),
      list_users: () => unlinked(linked ? 0 : 2)(),
      match_accounts: () => {
        linked = true;
        return { matched: [{ email: "dana@northwind.example", entra_object_id: "d" }], unmatched: [{ email: "sam@northwind.example", reason: "no account" }] };
      },
    });
    const card = renderCard();
    expect(await within(card).findByText(/^2 people sign in with Microsoft but are not linked/)).toBeInTheDocument();
    await userEvent.click(within(card).getByRole("button", { name: "Link them by email" }));
    expect(await within(card).findByText(/^Linked 1 person to their Microsoft account by email\./)).toHaveTextContent(
      "Not found in Entra: sam@northwind.example.",
    );
    expect(await within(card).findByText(/^The first run would deactivate 1 person/)).toBeInTheDocument();
    expect(within(card).queryByRole("button", { name: "Link them by email" })).not.toBeInTheDocument();
    expect(callsTo(calls, "preview_run")).toHaveLength(2);
  });
});
