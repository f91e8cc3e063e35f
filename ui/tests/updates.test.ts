// Settings → General → Updates: what a check found is shown with its release notes before
// installing, the core's refusals verbatim ("Could not check for updates", a signature that
// does not match), Restart now after an install, the daily check and the feed address.
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import UpdatesCard from "../src/screens/settings/general/UpdatesCard.svelte";
import type { UpdateStatus } from "../src/bindings/UpdateStatus";
import { sectionOf } from "../src/lib/navigation.svelte";
import { callsTo, mockCore, type Handlers } from "./fixtures";

const upToDate: UpdateStatus = {
  current_version: "0.1.0",
  check_daily: true,
  saved_feed: null,
  feed_from_environment: null,
  feed_in_use: "https://releases.example.com/latest.json",
  last_checked_at: null,
  available: null,
  installed: null,
  cannot_install: null,
};
const offered: UpdateStatus = {
  ...upToDate,
  last_checked_at: "2026-12-07T09:00:00Z",
  available: { version: "0.2.0", notes: "Faster nightly sync.\nFixes CSV import of names with accents.", published_at: "2026-12-06T12:00:00Z" },
};
const CANNOT_CHECK = "Could not check for updates. UniAsset will try again tomorrow; you can also check now in Settings → General.";
const MISMATCH =
  "The update's signature does not match UniAsset's signing key, so it was refused and nothing was installed. If your organization mirrors the update feed, ask whoever runs it; otherwise tell UniAsset's support.";

function openCard(initial: UpdateStatus, handlers: Handlers = {}) {
  const calls = mockCore({ update_status: () => initial, ...handlers });
  render(UpdatesCard);
  return calls;
}

const card = () => screen.getByRole("region", { name: "Updates" });

describe("updates", () => {
  it("shows the release notes before installing, installs, then offers Restart now", async () => {
    const calls = openCard(offered, {
      install_update: () => ({ ...offered, available: null, installed: "0.2.0" }),
      restart_to_update: () => null,
    });
    expect(await within(card()).findByText("UniAsset 0.2.0 is available", { exact: false })).toBeInTheDocument();
    const notes = within(card()).getByLabelText("Release notes");
    expect(within(notes).getByText("Faster nightly sync.")).toBeInTheDocument();
    expect(within(notes).getByText("Fixes CSV import of names with accents.")).toBeInTheDocument();
    expect(card()).toHaveTextContent("This is UniAsset 0.1.0.");
    await userEvent.click(within(card()).getByRole("button", { name: "Install UniAsset 0.2.0" }));
    expect(await within(card()).findByText("UniAsset 0.2.0 is installed. Restart UniAsset to start using it.")).toBeInTheDocument();
    expect(within(card()).queryByRole("button", { name: /Install/ })).not.toBeInTheDocument();
    await userEvent.click(within(card()).getByRole("button", { name: "Restart now" }));
    expect(callsTo(calls, "install_update")).toHaveLength(1);
    expect(callsTo(calls, "restart_to_update")).toHaveLength(1);
  });

  it("says a refused package and a feed that cannot be read in the core's words, and keeps the offer", async () => {
    openCard(offered, {
      install_update: () => {
        throw { code: "update_signature_mismatch", message: MISMATCH };
      },
      check_for_updates: () => {
        throw { code: "update_check_failed", message: CANNOT_CHECK };
      },
    });
    await userEvent.click(await within(card()).findByRole("button", { name: "Install UniAsset 0.2.0" }));
    expect(await within(card()).findByRole("alert")).toHaveTextContent(MISMATCH);
    expect(within(card()).queryByRole("button", { name: "Restart now" })).not.toBeInTheDocument();
    await userEvent.click(within(card()).getByRole("button", { name: "Check for updates" }));
    expect(await within(card()).findByText(CANNOT_CHECK)).toBeInTheDocument();
    expect(within(card()).getByRole("button", { name: "Install UniAsset 0.2.0" })).toBeInTheDocument();
  });

  it("checks and says when UniAsset is up to date", async () => {
    const calls = openCard(upToDate, { check_for_updates: () => ({ ...upToDate, last_checked_at: "2026-12-07T10:00:00Z" }) });
    await userEvent.click(await within(card()).findByRole("button", { name: "Check for updates" }));
    expect(await within(card()).findByText("UniAsset is up to date.")).toBeInTheDocument();
    expect(card()).toHaveTextContent("Last checked");
    expect(callsTo(calls, "check_for_updates")).toHaveLength(1);
  });

  it("shows Markdown release notes as plain points", async () => {
    openCard({ ...offered, available: { version: "0.2.0", notes: "## What's Changed\n* Faster sync\n\n- CSV fix", published_at: null } });
    const notes = await within(card()).findByLabelText("Release notes");
    expect(within(notes).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["What's Changed", "Faster sync", "CSV fix"]);
  });

  it("after an install, a window opened again offers Restart now, not the install", async () => {
    openCard({ ...offered, available: null, installed: "0.2.0" });
    expect(await within(card()).findByText("UniAsset 0.2.0 is installed. Restart UniAsset to start using it.")).toBeInTheDocument();
    expect(within(card()).getByRole("button", { name: "Restart now" })).toBeInTheDocument();
    expect(within(card()).queryByRole("button", { name: /Install/ })).not.toBeInTheDocument();
  });

  it("offers no install in a copy built from source, and says why", async () => {
    const why = "This copy of UniAsset was built from source rather than installed from a package, so it does not update itself. Install UniAsset's package to get updates.";
    openCard({ ...offered, cannot_install: why });
    expect(await within(card()).findByText(why)).toBeInTheDocument();
    expect(within(card()).queryByRole("button", { name: /Install/ })).not.toBeInTheDocument();
  });

  it("turns the daily check off, and shows the box as the core keeps it when refused", async () => {
    let refuse = false;
    const calls = openCard(upToDate, {
      set_update_check_daily: ({ on }) => {
        if (refuse) throw { code: "needs_admin", message: "Only an Owner or Admin can check for or install updates." };
        return { ...upToDate, check_daily: on as boolean };
      },
    });
    const box = await within(card()).findByLabelText("Check for updates every day");
    await userEvent.click(box);
    expect(box).not.toBeChecked();
    refuse = true;
    await userEvent.click(box);
    expect(await within(card()).findByRole("alert")).toHaveTextContent("Only an Owner or Admin");
    expect(box).not.toBeChecked();
    expect(callsTo(calls, "set_update_check_daily").map((c) => c.args)).toEqual([{ on: false }, { on: true }]);
  });

  it("saves an organization's own feed, shows a refusal, and says when the environment sets it", async () => {
    const calls = openCard(upToDate, {
      set_update_feed: ({ address }) => {
        if (!String(address).startsWith("https://"))
          throw { code: "update_feed_address", message: "The update feed must be a full https:// address, such as https://updates.example.com/uniasset/latest.json." };
        return { ...upToDate, saved_feed: address as string, feed_in_use: address as string };
      },
    });
    const field = await within(card()).findByLabelText(/Update feed/);
    await userEvent.type(field, "http://mirror.example.org/latest.json");
    await userEvent.click(within(card()).getByRole("button", { name: "Save" }));
    expect(await within(card()).findByRole("alert")).toHaveTextContent("must be a full https:// address");
    await userEvent.clear(field);
    await userEvent.type(field, "https://mirror.example.org/latest.json");
    await userEvent.click(within(card()).getByRole("button", { name: "Save" }));
    expect(await within(card()).findByText("Saved.")).toBeInTheDocument();
    expect(card()).toHaveTextContent("Updates are read from https://mirror.example.org/latest.json.");
    expect(callsTo(calls, "set_update_feed")).toHaveLength(2);
  });

  it("names the feed UNIASSET_UPDATE_FEED sets", async () => {
    openCard({ ...upToDate, feed_from_environment: "https://127.0.0.1:8443/latest.json" });
    expect(await within(card()).findByText(/UNIASSET_UPDATE_FEED is set, so https:\/\/127.0.0.1:8443\/latest.json is used/)).toBeInTheDocument();
  });

  it("the tray's Update available opens Settings", () => {
    expect(sectionOf("updates")).toBe("settings");
  });
});
