import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import Main from "../src/screens/Main.svelte";
import type { Asset } from "../src/bindings/Asset";
import type { UserStatus } from "../src/bindings/UserStatus";
import { makeUser, mockCore, org } from "./fixtures";

const owner = makeUser(1, { display_name: "Olivia Owner", role: "owner" });

describe("assets", () => {
  it("marks deactivated assignees and leaves assets assigned", async () => {
    const asset = (id: number, name: string, holder: string | null, status: UserStatus | null): Asset => ({
      id,
      tag: `A-${id}`,
      name,
      assigned_to: holder ? id + 100 : null,
      assigned_to_name: holder,
      assigned_to_status: status,
    });
    mockCore({
      list_assets: () => [
        asset(1, "ThinkPad T14", "Dan Disabled", "deactivated"),
        asset(2, "MacBook Air", "Ann Active", "active"),
        asset(3, "Monitor", null, null),
      ],
    });
    render(Main, { org, user: owner, onSignedOut: () => {} });

    const dan = (await screen.findByText("ThinkPad T14")).closest("tr") as HTMLElement;
    expect(within(dan).getByText("Dan Disabled")).toBeInTheDocument();
    expect(within(dan).getByText("Deactivated")).toBeInTheDocument();
    const ann = screen.getByText("MacBook Air").closest("tr") as HTMLElement;
    expect(within(ann).queryByText("Deactivated")).not.toBeInTheDocument();
    expect(screen.getByText("Unassigned")).toBeInTheDocument();
  });

  it("has an empty state", async () => {
    mockCore({ list_assets: () => [] });
    render(Main, { org, user: owner, onSignedOut: () => {} });
    expect(await screen.findByText(/^No assets yet\./)).toBeInTheDocument();
  });
});

describe("settings", () => {
  it("has a tablist driven by click and arrow keys", async () => {
    mockCore({
      list_assets: () => [],
      list_users: () => ({ users: [], counts: { all: 0, active: 0, deactivated: 0 } }),
    });
    render(Main, { org, user: owner, onSignedOut: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.getByRole("button", { name: "Settings" })).toHaveAttribute("aria-current", "page");

    const general = screen.getByRole("tab", { name: "General" });
    expect(general).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tabpanel", { name: "General" })).toHaveTextContent("Acme Ltd");
    expect(screen.getByRole("tabpanel")).toHaveTextContent("Team");

    general.focus();
    await userEvent.keyboard("{ArrowRight}");
    const users = screen.getByRole("tab", { name: "Users" });
    expect(users).toHaveFocus();
    expect(users).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByRole("button", { name: "All (0)" })).toBeInTheDocument();

    await userEvent.keyboard("{End}");
    expect(screen.getByRole("tabpanel", { name: "Integrations" })).toHaveTextContent("Microsoft Entra ID");
    expect(screen.getByRole("tabpanel")).toHaveTextContent("Not connected");
    expect(general).toHaveAttribute("tabindex", "-1");
  });
});
