// Settings → General → Leavers: the return time and reminders about leavers' assets, saved
// through the core, its refusal shown, and the checkbox showing what the core keeps.
import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import LeaversCard from "../src/screens/settings/general/LeaversCard.svelte";
import { callsTo, mockCore, type Handlers } from "./fixtures";

function openCard(handlers: Handlers = {}) {
  const calls = mockCore({ return_days: () => 14, reminder_settings: () => ({ enabled: false, since: null }), ...handlers });
  render(LeaversCard);
  return calls;
}

const card = () => screen.getByRole("region", { name: "Leavers" });

describe("leavers settings", () => {
  it("saves how many days after leaving assets are due back, and shows a refusal", async () => {
    const calls = openCard({
      save_return_days: ({ days }) => {
        if (days > 365) throw { code: "invalid_return_days", message: `The return time must be between 1 and 365 days, not ${days}.` };
        return days;
      },
    });
    const field = await screen.findByLabelText("Assets are due back this many days after someone leaves");
    expect(field).toHaveValue(14);
    await userEvent.clear(field);
    await userEvent.type(field, "400");
    await userEvent.click(within(card()).getByRole("button", { name: "Save" }));
    expect(await within(card()).findByText("The return time must be between 1 and 365 days, not 400.")).toBeInTheDocument();
    await userEvent.clear(field);
    await userEvent.type(field, "30");
    await userEvent.click(within(card()).getByRole("button", { name: "Save" }));
    expect(await within(card()).findByText("Saved: 30 days.")).toBeInTheDocument();
    expect(callsTo(calls, "save_return_days").map((c) => c.args)).toEqual([{ days: 400 }, { days: 30 }]);
  });

  it("turns reminders on, and shows what the core keeps when it refuses", async () => {
    let refuse = false;
    const calls = openCard({
      save_reminders: ({ on }) => {
        if (refuse) throw { code: "needs_admin", message: "Only an Owner or Admin can turn reminders about leavers' assets on or off." };
        return { enabled: on, since: on ? "2026-12-07T08:00:00Z" : null };
      },
    });
    const box = await screen.findByRole("checkbox", { name: "Send reminders about assets leavers still hold" });
    await waitFor(() => expect(box).toBeEnabled());
    expect(box).not.toBeChecked();
    await userEvent.click(box);
    await waitFor(() => expect(box).toBeChecked());
    refuse = true;
    await userEvent.click(box);
    expect(await within(card()).findByText(/Only an Owner or Admin/)).toBeInTheDocument();
    expect(box).toBeChecked();
    expect(callsTo(calls, "save_reminders").map((c) => c.args)).toEqual([{ on: true }, { on: false }]);
  });
});
