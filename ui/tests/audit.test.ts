// Settings → Audit log: the table, filters sent to the core, paging, empty state, CSV export.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { save } from "@tauri-apps/plugin-dialog";
import AuditLogTab from "../src/screens/settings/AuditLogTab.svelte";
import type { AuditQuery } from "../src/bindings/AuditQuery";
import { formatDateTime } from "../src/lib/time";
import { callsTo, makeAuditEntry, makeAuditPage, mockCore, type Handlers } from "./fixtures";

// The native save dialog is the shell's; the test answers for the person choosing a file.
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));

const ALL: AuditQuery = { person: null, action: null, since: null, until: null, before: null, limit: null };

function open(handlers: Handlers) {
  const calls = mockCore({ audit_actions: () => ["user.added", "asset.assigned", "custom.thing"], ...handlers });
  render(AuditLogTab);
  return calls;
}

const rows = () => within(screen.getByRole("table")).getAllByRole("row").slice(1);

beforeEach(() => {
  vi.mocked(save).mockReset();
});

describe("the audit log", () => {
  it("shows the first page newest first with readable actions, and fills the action filter", async () => {
    const calls = open({
      audit_log: () =>
        makeAuditPage(
          [
            makeAuditEntry(12, { at: "2025-03-04T09:30:00Z", action: "custom.thing", subject: null, detail: "" }),
            makeAuditEntry(11, { action: "user.added", detail: "role: Member" }),
          ],
          null,
        ),
    });
    await screen.findByRole("table");
    expect(callsTo(calls, "audit_log").map((c) => c.args)).toEqual([{ query: ALL }]);

    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Time",
      "Actor",
      "Action",
      "Subject",
      "Details",
    ]);
    const [first, second] = rows();
    expect(within(first).getAllByRole("cell").map((c) => c.textContent)).toEqual([
      formatDateTime("2025-03-04T09:30:00Z"),
      "Olivia Owner <olivia@acme.test>",
      "custom.thing",
      "",
      "",
    ]);
    expect(within(second).getAllByRole("cell").map((c) => c.textContent)).toEqual([
      formatDateTime("2025-03-03T10:00:00Z"),
      "Olivia Owner <olivia@acme.test>",
      "Added",
      "Ann Active <ann@acme.test>",
      "role: Member",
    ]);
    expect(screen.getByText("Showing 2 of 2")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();

    const action = screen.getByRole("combobox", { name: "Action" });
    expect(within(action).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "All actions",
      "Added",
      "Asset assigned",
      "custom.thing",
    ]);
  });

  it("sends the filters together, and Clear goes back to everything", async () => {
    const calls = open({ audit_log: () => makeAuditPage([makeAuditEntry(1)]) });
    await screen.findByRole("table");

    await userEvent.type(screen.getByRole("textbox", { name: "Person" }), "  ann@acme.test ");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Action" }), "asset.assigned");
    await fireEvent.input(screen.getByLabelText("From"), { target: { value: "2025-03-01" } });
    await fireEvent.input(screen.getByLabelText("To"), { target: { value: "2025-03-31" } });
    // Typing alone asks nothing: a half-typed address is never looked up.
    expect(callsTo(calls, "audit_log")).toHaveLength(1);

    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    await waitFor(() => expect(callsTo(calls, "audit_log")).toHaveLength(2));
    expect(callsTo(calls, "audit_log")[1].args).toEqual({
      query: { ...ALL, person: "ann@acme.test", action: "asset.assigned", since: "2025-03-01", until: "2025-03-31" },
    });

    await userEvent.click(screen.getByRole("button", { name: "Clear" }));
    await waitFor(() => expect(callsTo(calls, "audit_log")).toHaveLength(3));
    expect(callsTo(calls, "audit_log")[2].args).toEqual({ query: ALL });
    expect(screen.getByRole("textbox", { name: "Person" })).toHaveValue("");
    expect(screen.getByLabelText("From")).toHaveValue("");
  });

  it("loads older entries with Load more, passing `next` as `before` with the same filters", async () => {
    const calls = open({
      audit_log: (args) => {
        const query = args.query as AuditQuery;
        if (query.before === null) return makeAuditPage([makeAuditEntry(40), makeAuditEntry(39)], 39, 3);
        return makeAuditPage([makeAuditEntry(12)], null, 3);
      },
    });
    await screen.findByRole("table");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Action" }), "user.added");
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    await waitFor(() => expect(callsTo(calls, "audit_log")).toHaveLength(2));
    expect(await screen.findByText("Showing 2 of 3")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Showing 3 of 3")).toBeInTheDocument();
    expect(callsTo(calls, "audit_log")[2].args).toEqual({ query: { ...ALL, action: "user.added", before: 39 } });
    expect(rows().map((r) => within(r).getAllByRole("cell")[4].textContent)).toEqual([
      "entry 40",
      "entry 39",
      "entry 12",
    ]);
    // The last page: no more to load, and focus stays in the log rather than on nothing.
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(screen.getByText("Showing 3 of 3")).toHaveFocus();
  });

  it("says when nothing has been recorded, and when nothing matches", async () => {
    open({ audit_log: () => makeAuditPage([]) });
    expect(await screen.findByText("Nothing has been recorded yet.")).toBeInTheDocument();
    await userEvent.type(screen.getByRole("textbox", { name: "Person" }), "ann@acme.test");
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(await screen.findByText("No audit entries match these filters.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("shows the core's refusal verbatim, such as an unknown email", async () => {
    open({
      audit_log: (args) => {
        if ((args.query as AuditQuery).person === null) return makeAuditPage([makeAuditEntry(1)]);
        throw { code: "unknown_user", message: "No user has the email nobody@acme.test." };
      },
    });
    await screen.findByRole("table");
    await userEvent.type(screen.getByRole("textbox", { name: "Person" }), "nobody@acme.test");
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent(/^No user has the email nobody@acme\.test\.$/),
    );
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    // An error is not an empty log.
    expect(screen.queryByText("No audit entries match these filters.")).not.toBeInTheDocument();
  });
});

describe("exporting the audit log", () => {
  it("does nothing when the save dialog is cancelled", async () => {
    vi.mocked(save).mockResolvedValue(null);
    const calls = open({ audit_log: () => makeAuditPage([makeAuditEntry(1)]), export_audit_csv: () => 1 });
    await screen.findByRole("table");
    await userEvent.click(screen.getByRole("button", { name: "Export CSV…" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(callsTo(calls, "export_audit_csv")).toHaveLength(0);
    expect(screen.getByRole("alert")).toHaveTextContent(/^$/);
    expect(screen.queryByText(/^Exported/)).not.toBeInTheDocument();
  });

  it("exports every entry matching the applied filters to the chosen file and says so", async () => {
    vi.mocked(save).mockResolvedValue("/home/olivia/Documents/audit.csv");
    const calls = open({
      audit_log: (args) =>
        (args.query as AuditQuery).before === null
          ? makeAuditPage([makeAuditEntry(40), makeAuditEntry(39)], 39, 120)
          : makeAuditPage([makeAuditEntry(38), makeAuditEntry(37)], 37, 120),
      export_audit_csv: () => 120,
    });
    await screen.findByRole("table");
    await fireEvent.input(screen.getByLabelText("From"), { target: { value: "2025-03-01" } });
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    await waitFor(() => expect(callsTo(calls, "audit_log")).toHaveLength(2));
    // Loaded pages do not limit the export.
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(callsTo(calls, "audit_log")).toHaveLength(3));

    await userEvent.click(screen.getByRole("button", { name: "Export CSV…" }));
    expect(
      await screen.findByText("Exported 120 entries to /home/olivia/Documents/audit.csv."),
    ).toBeInTheDocument();
    const options = vi.mocked(save).mock.calls[0][0];
    expect(options?.defaultPath).toMatch(/^uniasset-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(options?.filters).toEqual([{ name: "CSV", extensions: ["csv"] }]);
    expect(callsTo(calls, "export_audit_csv").map((c) => c.args)).toEqual([
      { query: { ...ALL, since: "2025-03-01" }, path: "/home/olivia/Documents/audit.csv" },
    ]);
  });

  it("shows the core's export error verbatim", async () => {
    vi.mocked(save).mockResolvedValue("/read-only/audit.csv");
    open({
      audit_log: () => makeAuditPage([makeAuditEntry(1)]),
      export_audit_csv: () => {
        throw { code: "io", message: "Could not write /read-only/audit.csv: permission denied." };
      },
    });
    await screen.findByRole("table");
    await userEvent.click(screen.getByRole("button", { name: "Export CSV…" }));
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent(/^Could not write \/read-only\/audit\.csv: permission denied\.$/),
    );
  });
});
