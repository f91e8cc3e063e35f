// The kit's tabs, tables and lists of facts, on their own: what screen readers and the
// keyboard get from each, whatever screen uses them.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import { save } from "@tauri-apps/plugin-dialog";
import Badge from "../src/components/Badge.svelte";
import CsvExportButton from "../src/components/CsvExportButton.svelte";
import DataTable from "../src/components/DataTable.svelte";
import DetailsDialog from "../src/components/DetailsDialog.svelte";
import ListToolbar from "../src/components/ListToolbar.svelte";
import type { MenuItem } from "../src/components/MenuPopup.svelte";
import SelectFilter from "../src/components/SelectFilter.svelte";
import Table from "../src/components/Table.svelte";
import { Task } from "../src/lib/task.svelte";
import FactsOwner from "./kit/FactsOwner.svelte";
import TabsOwner from "./kit/TabsOwner.svelte";

vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));

const markup = (html: string) => createRawSnippet(() => ({ render: () => html }));

type Person = { id: number; name: string };
const people: Person[] = [
  { id: 1, name: "Ann" },
  { id: 2, name: "Bob" },
  { id: 3, name: "Cy" },
];
const nameCell = createRawSnippet((person: () => Person) => ({ render: () => `<span role="cell">${person().name}</span>` }));
const personRow = createRawSnippet((person: () => Person) => ({
  render: () => `<tr><td>${person().id}</td><td>${person().name}</td></tr>`,
}));

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

describe("Tabs", () => {
  it("is a tablist with one tab stop, ids from the prefix, and only the current panel", () => {
    render(TabsOwner, { idPrefix: "kit-" });
    const list = screen.getByRole("tablist", { name: "Sections" });
    const [one, two, three] = within(list).getAllByRole("tab");
    expect(one).toHaveAttribute("id", "kit-tab-one");
    expect(one).toHaveAttribute("aria-selected", "true");
    expect(one).toHaveAttribute("tabindex", "0");
    expect(one).toHaveAttribute("aria-controls", "kit-panel-one");
    for (const other of [two, three]) {
      expect(other).toHaveAttribute("aria-selected", "false");
      expect(other).toHaveAttribute("tabindex", "-1");
      expect(other).not.toHaveAttribute("aria-controls");
    }
    const panel = screen.getByRole("tabpanel", { name: "One" });
    expect(panel).toHaveAttribute("id", "kit-panel-one");
    expect(panel).toHaveTextContent("First panel");
    expect(panel).not.toHaveAttribute("tabindex");
    expect(screen.getAllByRole("tabpanel")).toHaveLength(1);
    expect(screen.queryByText("Second panel")).not.toBeInTheDocument();
  });

  it("moves and selects with the arrow keys, wrapping, and Home and End jump to the ends", async () => {
    render(TabsOwner);
    const tab = (name: string) => screen.getByRole("tab", { name });
    tab("One").focus();

    await userEvent.keyboard("{ArrowRight}");
    expect(tab("Two")).toHaveFocus();
    expect(tab("Two")).toHaveAttribute("aria-selected", "true");
    expect(tab("One")).toHaveAttribute("tabindex", "-1");
    expect(screen.getByRole("tabpanel", { name: "Two" })).toHaveTextContent("Second panel");
    expect(screen.getByRole("tabpanel")).toHaveAttribute("id", "panel-two");
    expect(screen.queryByText("First panel")).not.toBeInTheDocument();
    expect(screen.getByText("Owner sees two")).toBeInTheDocument();

    await userEvent.keyboard("{End}");
    expect(tab("Three")).toHaveFocus();
    await userEvent.keyboard("{ArrowRight}");
    expect(tab("One")).toHaveFocus();
    await userEvent.keyboard("{ArrowLeft}");
    expect(tab("Three")).toHaveFocus();
    await userEvent.keyboard("{Home}");
    expect(tab("One")).toHaveFocus();
    expect(screen.getByRole("tabpanel", { name: "One" })).toHaveTextContent("First panel");
    expect(screen.getByText("Owner sees one")).toBeInTheDocument();
  });

  it("selects a tab on click, and makes the panel a tab stop when asked", async () => {
    render(TabsOwner, { focusablePanel: true });
    await userEvent.click(screen.getByRole("tab", { name: "Three" }));
    expect(screen.getByRole("tabpanel", { name: "Three" })).toHaveAttribute("tabindex", "0");
    expect(screen.getByText("Third panel")).toBeInTheDocument();
  });
});

describe("DataTable", () => {
  function renderTable(overrides: Record<string, unknown> = {}) {
    const chosen: string[] = [];
    const menu = vi.fn((person: Person): MenuItem[] => [
      { label: "Edit", onSelect: () => chosen.push(`Edit ${person.name}`) },
      { label: "Details", onSelect: () => chosen.push(`Details ${person.name}`) },
    ]);
    render(DataTable<Person>, {
      label: "People",
      columns: "1fr",
      headers: [{ label: "Name" }],
      items: people,
      rowHeight: 40,
      key: (p: Person) => p.id,
      cells: nameCell,
      menuId: "person-menu",
      name: (p: Person) => p.name,
      menu,
      ...overrides,
    });
    return { chosen, menu, table: screen.getByRole("table", { name: "People" }) };
  }

  it("has a header row and a row per item, with its place in the whole list", () => {
    const { table } = renderTable();
    expect(table).toHaveAttribute("aria-rowcount", "4");
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent?.trim())).toEqual(["Name", "Actions"]);
    const rows = within(table).getAllByRole("row");
    expect(rows.map((r) => r.getAttribute("aria-rowindex"))).toEqual(["1", "2", "3", "4"]);
    expect(within(rows[1]).getAllByRole("cell").map((c) => c.textContent?.trim())).toEqual(["Ann", ""]);
    expect(within(rows[3]).getByRole("button", { name: "Actions for Cy" })).toHaveAttribute("aria-haspopup", "menu");
    // The scrolling body is reachable from the keyboard.
    expect(within(table).getByRole("rowgroup")).toHaveAttribute("tabindex", "0");
  });

  it("draws rows it does not hold yet as busy placeholders", () => {
    const { table } = renderTable({ items: people.slice(0, 2), count: 4 });
    expect(table).toHaveAttribute("aria-rowcount", "5");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.getAttribute("aria-busy"))).toEqual([null, null, "true", "true"]);
    expect(rows.map((r) => r.getAttribute("aria-rowindex"))).toEqual(["2", "3", "4", "5"]);
  });

  it("opens a row's menu on click, outside the list, and a second click closes it", async () => {
    const { table, menu } = renderTable();
    const button = screen.getByRole("button", { name: "Actions for Bob" });
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(menu).not.toHaveBeenCalled();

    await userEvent.click(button);
    const popup = await screen.findByRole("menu", { name: "Actions for Bob" });
    expect(popup).toHaveAttribute("id", "person-menu");
    expect(button).toHaveAttribute("aria-expanded", "true");
    expect(button).toHaveAttribute("aria-controls", "person-menu");
    expect(table.contains(popup)).toBe(false);
    expect(menu).toHaveBeenCalledWith(people[1]);
    expect(within(popup).getByRole("menuitem", { name: "Edit" })).toHaveFocus();

    await userEvent.click(button);
    await waitFor(() => expect(screen.queryByRole("menu")).not.toBeInTheDocument());
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(button).not.toHaveAttribute("aria-controls");
  });

  it("opens with ArrowDown on the first item and ArrowUp on the last; Escape gives focus back", async () => {
    renderTable();
    const button = screen.getByRole("button", { name: "Actions for Ann" });
    button.focus();
    await userEvent.keyboard("{ArrowDown}");
    expect(within(await screen.findByRole("menu")).getByRole("menuitem", { name: "Edit" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("menu")).not.toBeInTheDocument());
    expect(button).toHaveFocus();

    await userEvent.keyboard("{ArrowUp}");
    expect(within(await screen.findByRole("menu")).getByRole("menuitem", { name: "Details" })).toHaveFocus();
  });

  it("keeps one menu open at a time, and an item chosen calls back and closes the menu", async () => {
    const { chosen } = renderTable();
    await userEvent.click(screen.getByRole("button", { name: "Actions for Ann" }));
    await screen.findByRole("menu", { name: "Actions for Ann" });
    await userEvent.click(screen.getByRole("button", { name: "Actions for Cy" }));
    await screen.findByRole("menu", { name: "Actions for Cy" });
    expect(screen.getAllByRole("menu")).toHaveLength(1);

    await userEvent.click(screen.getByRole("menuitem", { name: "Details" }));
    expect(chosen).toEqual(["Details Cy"]);
    await waitFor(() => expect(screen.queryByRole("menu")).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Actions for Cy" })).toHaveFocus();
  });
});

describe("Table", () => {
  it("shows the empty text instead of a table without rows", () => {
    render(Table<Person>, { columns: ["Id", "Name"], rows: [], row: personRow, empty: "Nobody yet." });
    expect(screen.getByText("Nobody yet.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("has a header from the column labels and a row per item", () => {
    render(Table<Person>, {
      columns: ["Id", "Name", { label: "Actions", hidden: true }],
      rows: people,
      key: (p: Person) => p.id,
      row: personRow,
      label: "Everyone",
      empty: "Nobody yet.",
    });
    const table = screen.getByRole("table", { name: "Everyone" });
    expect(table).toHaveClass("data-table");
    const headers = within(table).getAllByRole("columnheader");
    expect(headers.map((h) => h.textContent?.trim())).toEqual(["Id", "Name", "Actions"]);
    expect(headers.every((h) => h.getAttribute("scope") === "col")).toBe(true);
    expect(within(headers[2]).getByText("Actions")).toHaveClass("visually-hidden");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(["1Ann", "2Bob", "3Cy"]);
    expect(screen.queryByText("Nobody yet.")).not.toBeInTheDocument();
    // Not scrolling on its own: no region, no tab stop.
    expect(screen.queryByRole("region")).not.toBeInTheDocument();
  });

  it("is a named region and a tab stop when its box may scroll", () => {
    render(Table<Person>, { columns: ["Id", "Name"], rows: people, row: personRow, region: "Everyone, scrolling" });
    const region = screen.getByRole("region", { name: "Everyone, scrolling" });
    expect(region).toHaveClass("table-box");
    expect(region).toHaveAttribute("tabindex", "0");
    expect(within(region).getByRole("table")).toBeInTheDocument();
  });
});

describe("Facts", () => {
  it("is a description list of names and values", () => {
    render(FactsOwner);
    const list = document.querySelector("dl.facts") as HTMLElement;
    expect(within(list).getAllByRole("term").map((t) => t.textContent)).toEqual(["Name", "Tag", "Status"]);
    const values = within(list).getAllByRole("definition");
    expect(values.map((d) => d.textContent)).toEqual(["Ann Active", "LT-001", "Active"]);
    expect(values[1]).toHaveClass("mono");
    expect(values[0]).not.toHaveClass("mono");
    expect(within(values[2]).getByText("Active")).toHaveClass("badge", "badge-ok");
  });
});

describe("Badge", () => {
  it("is a pill in its tone, with what it means on hover", () => {
    render(Badge, { tone: "protected", title: "Never deactivated automatically", children: markup("<span>Protected</span>") });
    const badge = screen.getByText("Protected").parentElement as HTMLElement;
    expect(badge.tagName).toBe("SPAN");
    expect(badge).toHaveClass("badge", "badge-protected");
    expect(badge).toHaveAttribute("title", "Never deactivated automatically");
  });

  it("has no title unless given one", () => {
    render(Badge, { tone: "warn", children: markup("<span>outstanding</span>") });
    const badge = screen.getByText("outstanding").parentElement as HTMLElement;
    expect(badge).toHaveClass("badge-warn");
    expect(badge).not.toHaveAttribute("title");
  });
});

describe("list toolbar and filters", () => {
  it("labels the search box and the select, with the first option for no filter", async () => {
    render(ListToolbar, {
      id: "kit-search",
      label: "Search people",
      placeholder: "Name or email",
      searchText: "",
      actions: markup("<button>Add person</button>"),
    });
    const search = screen.getByRole("searchbox", { name: "Search people" });
    expect(search).toHaveAttribute("id", "kit-search");
    await userEvent.type(search, "ann");
    expect(search).toHaveValue("ann");
    expect(screen.getByRole("button", { name: "Add person" })).toBeInTheDocument();
  });

  it("offers each value of a select filter after its 'All' option", async () => {
    render(SelectFilter<"a" | "b">, { id: "kit-letter", label: "Letter", value: "", options: { a: "Alpha", b: "Bravo" }, all: "Any" });
    const select = screen.getByLabelText("Letter");
    expect(select).toHaveAttribute("id", "kit-letter");
    expect(within(select).getAllByRole("option").map((o) => [o.getAttribute("value"), o.textContent])).toEqual([
      ["", "Any"],
      ["a", "Alpha"],
      ["b", "Bravo"],
    ]);
    await userEvent.selectOptions(select, "Bravo");
    expect(select).toHaveValue("b");
  });
});

describe("CsvExportButton", () => {
  beforeEach(() => vi.mocked(save).mockReset());

  function renderButton() {
    const written = deferred<string>();
    const write = vi.fn(() => written.promise);
    const onResult = vi.fn();
    render(CsvExportButton, { title: "Export people", fileName: () => "people.csv", write, onResult });
    return { write, written, onResult, button: screen.getByRole("button", { name: "Export CSV…" }) };
  }

  it("does nothing when the save dialog is cancelled", async () => {
    vi.mocked(save).mockResolvedValue(null);
    const { write, onResult, button } = renderButton();
    await userEvent.click(button);
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(write).not.toHaveBeenCalled();
    expect(onResult.mock.calls).toEqual([["", ""]]);
  });

  it("writes to the chosen file, busy meanwhile, and says what it wrote or why it could not", async () => {
    vi.mocked(save).mockResolvedValue("/tmp/people.csv");
    const { write, written, onResult, button } = renderButton();
    await userEvent.click(button);
    await waitFor(() => expect(write).toHaveBeenCalledWith("/tmp/people.csv"));
    expect(vi.mocked(save).mock.lastCall?.[0]).toEqual({
      title: "Export people",
      defaultPath: "people.csv",
      filters: [{ name: "CSV", extensions: ["csv"] }],
    });
    expect(button).toHaveTextContent("Exporting…");
    expect(button).toBeDisabled();
    written.resolve("Exported 3 people.");
    await waitFor(() => expect(onResult).toHaveBeenLastCalledWith("Exported 3 people.", ""));
    expect(button).toBeEnabled();

    write.mockRejectedValueOnce({ code: "io", message: "The disk is full." });
    await userEvent.click(button);
    await waitFor(() => expect(onResult).toHaveBeenLastCalledWith("", "The disk is full."));
  });
});

describe("DetailsDialog", () => {
  const body = createRawSnippet((person: () => Person) => ({ render: () => `<p>Details of ${person().name}</p>` }));

  it("says it is loading, then shows the details, and Close closes", async () => {
    const onClose = vi.fn();
    const view = render(DetailsDialog<Person>, { title: "Ann", details: null, error: "", onClose, children: body });
    const dialog = screen.getByRole("dialog", { name: "Ann" });
    expect(within(dialog).getByRole("status")).toHaveTextContent("Loading details…");

    await view.rerender({ details: people[0] });
    expect(within(dialog).getByText("Details of Ann")).toBeInTheDocument();
    expect(within(dialog).queryByText("Loading details…")).not.toBeInTheDocument();
    const close = within(dialog).getByRole("button", { name: "Close" });
    expect(close).toHaveFocus();
    await userEvent.click(close);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("shows the core's refusal instead of loading for ever", () => {
    render(DetailsDialog<Person>, { title: "Ann", details: null, error: "No such user.", onClose: () => {}, children: body });
    expect(screen.getByRole("alert")).toHaveTextContent("No such user.");
    expect(screen.queryByText("Loading details…")).not.toBeInTheDocument();
  });
});

describe("Task", () => {
  it("is busy while it runs, and keeps the core's refusal in words until it runs again", async () => {
    const task = new Task();
    const first = deferred<void>();
    const running = task.run(() => first.promise);
    expect(task.busy).toBe(true);
    first.reject({ code: "not_connected", message: "Connect Microsoft Entra ID first." });
    await running;
    expect(task.busy).toBe(false);
    expect(task.error).toBe("Connect Microsoft Entra ID first.");

    await task.run(async () => {});
    expect(task.error).toBe("");
  });
});
