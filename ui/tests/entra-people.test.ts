// People from Microsoft Entra ID, on the Entra page: choose, add, and the automatic setting.
import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import EntraPage from "../src/screens/settings/entra/EntraPage.svelte";
import type { EntraPerson } from "../src/bindings/EntraPerson";
import { callsTo, connection, makeOverview, makeUser, mockCore } from "./fixtures";

const person = (n: number, overrides: Partial<EntraPerson> = {}): EntraPerson => ({
  object_id: `0000000${n}-0000-4000-8000-000000000000`,
  display_name: `Person ${n}`,
  email: `p${n}@contoso.test`,
  outcome: "add",
  note: null,
  ...overrides,
});

const people = [
  person(1),
  person(2, { outcome: "link", note: "Already in UniAsset as a Microsoft user without a link: they will be linked." }),
  person(3, { outcome: "left_alone", note: "Already in UniAsset with password sign-in: left as is." }),
];

async function openDialog() {
  render(EntraPage, { onBack: () => {} });
  await userEvent.click(await screen.findByRole("button", { name: "Add people from Entra ID…" }));
  return screen.getByRole("dialog", { name: "Add people from Microsoft Entra ID" });
}

describe("adding people from Entra ID", () => {
  it("lists what adding would do, selects all that can be added, and adds them with the chosen role", async () => {
    const calls = mockCore({
      entra_overview: () => makeOverview({}, { connection }),
      entra_people: () => ({ people, more: false }),
      add_entra_people: () => ({
        added: [makeUser(11, { display_name: "Person 1", email: "p1@contoso.test" })],
        linked: [makeUser(12, { display_name: "Person 2", email: "p2@contoso.test" })],
        left_alone: [],
      }),
    });
    const dialog = await openDialog();
    const list = await within(dialog).findByRole("list", { name: "People in Microsoft Entra ID" });
    expect(within(list).getByText("Will be linked")).toBeInTheDocument();
    const boxes = within(list).getAllByRole("checkbox");
    expect(boxes[2]).toBeDisabled();

    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Select all" }));
    expect(boxes[0]).toBeChecked();
    expect(boxes[1]).toBeChecked();
    expect(boxes[2]).not.toBeChecked();
    await userEvent.selectOptions(within(dialog).getByLabelText("Role for new people"), "admin");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add 2 people" }));

    expect(callsTo(calls, "add_entra_people")).toEqual([
      { cmd: "add_entra_people", args: { objectIds: [people[0].object_id, people[1].object_id], role: "admin" } },
    ]);
    expect(await screen.findByText("Added: 1 person")).toBeInTheDocument();
    expect(screen.getByText("Linked to their Entra account: 1 person")).toBeInTheDocument();
  });

  it("adds as Members unless told otherwise, and searches in Entra ID once typing pauses", async () => {
    const calls = mockCore({
      entra_overview: () => makeOverview({}, { connection }),
      entra_people: (args) => ({ people: args.search ? [person(9)] : people, more: !args.search }),
      add_entra_people: () => ({ added: [], linked: [], left_alone: [] }),
    });
    const dialog = await openDialog();
    expect(await within(dialog).findByText(/More people match than are shown/)).toBeInTheDocument();
    await userEvent.type(within(dialog).getByLabelText("Search Entra ID"), "Person 9");
    await waitFor(() => expect(callsTo(calls, "entra_people").at(-1)?.args).toEqual({ search: "Person 9" }));
    await userEvent.click(await within(dialog).findByRole("checkbox", { name: /Person 9/ }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Add 1 person" }));
    expect(callsTo(calls, "add_entra_people")[0].args).toEqual({ objectIds: [person(9).object_id], role: "member" });
  });

  it("cannot be opened without a connection, and says why", async () => {
    mockCore({ entra_overview: () => makeOverview() });
    render(EntraPage, { onBack: () => {} });
    const button = await screen.findByRole("button", { name: "Add people from Entra ID…" });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription(/not connected/);
  });

  it("shows the core's refusal inside the dialog", async () => {
    mockCore({
      entra_overview: () => makeOverview({}, { connection }),
      entra_people: () => ({ people, more: false }),
      add_entra_people: () => {
        throw { code: "needs_owner", message: "Only an Owner can add another Owner." };
      },
    });
    const dialog = await openDialog();
    await userEvent.click(await within(dialog).findByRole("checkbox", { name: /Person 1/ }));
    await userEvent.selectOptions(within(dialog).getByLabelText("Role for new people"), "owner");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add 1 person" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Only an Owner can add another Owner.");
  });

  it("turns automatic adding on through the core and shows what it saved", async () => {
    const calls = mockCore({
      entra_overview: () => makeOverview({}, { connection }),
      entra_set_auto_add: (args) => makeOverview({}, { connection, auto_add_new_users: args.on as boolean }),
    });
    render(EntraPage, { onBack: () => {} });
    const box = await screen.findByRole("checkbox", { name: /Add new Entra users automatically/ });
    expect(box).not.toBeChecked();
    await userEvent.click(box);
    expect(callsTo(calls, "entra_set_auto_add")).toEqual([{ cmd: "entra_set_auto_add", args: { on: true } }]);
    await waitFor(() => expect(box).toBeChecked());
  });

  it("says why syncs, which add people automatically, cannot run, in the core's words", async () => {
    const reason = "Auto-deprovisioning needs the Enterprise plan; this organization is on the Team plan.";
    mockCore({ entra_overview: () => makeOverview({ plan: "team", deprovision_blocked: reason }, { connection }) });
    render(EntraPage, { onBack: () => {} });
    const box = await screen.findByRole("checkbox", { name: /Add new Entra users automatically/ });
    expect(box.closest("label")).toHaveTextContent(`Syncs cannot run now: ${reason}`);
  });
});
