import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import AuditLogTab from "../src/screens/settings/AuditLogTab.svelte";
import type { TrailVerdict } from "../src/bindings/TrailVerdict";
import { callsTo, makeAuditPage, mockCore } from "./fixtures";

const HEAD = "9f2c4e1a7b3d5f60".padEnd(64, "0");
const intact: TrailVerdict = { checked_at: "2026-12-07T03:05:00Z", entries: 1234, head: HEAD, broken: null };
const broken: TrailVerdict = {
  checked_at: "2026-12-07T10:00:00Z",
  entries: null,
  head: null,
  broken: "Audit entry #2 does not match its hash: it was changed after it was recorded.",
};

describe("the audit trail's check", () => {
  it("shows the latest verdict, and Check the trail verifies it again", async () => {
    const calls = mockCore({
      audit_actions: () => [],
      audit_log: () => makeAuditPage([]),
      audit_trail_verdict: () => intact,
      check_audit_trail: () => broken,
    });
    render(AuditLogTab);
    expect(await screen.findByText(/every entry is as UniAsset recorded it/)).toHaveTextContent("1234 entries");
    expect(screen.getByText("9f2c4e1a7b3d5f60…")).toHaveAttribute("title", HEAD);

    await userEvent.click(screen.getByRole("button", { name: "Check the trail" }));
    expect(await screen.findByText(/Audit entry #2 does not match its hash/)).toHaveClass("warning");
    expect(callsTo(calls, "check_audit_trail")).toHaveLength(1);
  });

  it("says when it has never been checked", async () => {
    mockCore({ audit_actions: () => [], audit_log: () => makeAuditPage([]) });
    render(AuditLogTab);
    expect(await screen.findByText("The trail is checked once a day while UniAsset runs.")).toBeInTheDocument();
  });
});
