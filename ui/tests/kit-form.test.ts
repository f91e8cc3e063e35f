import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import CheckField from "../src/components/CheckField.svelte";
import ConfirmDialog from "../src/components/ConfirmDialog.svelte";
import Field, { type Control } from "../src/components/Field.svelte";
import FormDialog from "../src/components/FormDialog.svelte";
import PeriodFields from "../src/components/PeriodFields.svelte";

// Snippets without a component of their own: static markup, and an input that takes what
// Field hands its control.
const markup = (html: string) => createRawSnippet(() => ({ render: () => html }));
const input = createRawSnippet((control: () => Control) => ({
  render: () =>
    `<input ${Object.entries(control())
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}="${value}"`)
      .join(" ")} />`,
}));

const nameField = markup('<div class="field"><label for="kit-name">Name</label><input id="kit-name" /></div>');

function deferred() {
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<void>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

function openDialog(overrides: Partial<Parameters<typeof FormDialog>[1]> = {}) {
  const props = {
    id: "kit-form",
    title: "Rename",
    submitLabel: "Save",
    busyLabel: "Saving…",
    onSubmit: vi.fn(async () => {}),
    onCancel: vi.fn(),
    children: nameField,
    ...overrides,
  };
  const view = render(FormDialog, props);
  const dialog = screen.getByRole(props.role ?? "dialog", { name: "Rename" });
  return { ...view, dialog, onSubmit: props.onSubmit, onCancel: props.onCancel };
}

// Elements a test puts in the page around the dialog: the button that opened it, a page.
const placed: HTMLElement[] = [];
function place<T extends HTMLElement>(element: T): T {
  placed.push(element);
  document.body.append(element);
  return element;
}
afterEach(() => placed.splice(0).forEach((element) => element.remove()));

function opener(): HTMLButtonElement {
  const button = place(document.createElement("button"));
  button.textContent = "Rename…";
  button.focus();
  return button;
}

describe("FormDialog", () => {
  it("is a modal dialog holding the form, with focus on its first field", () => {
    const { dialog } = openDialog();
    expect(dialog).toHaveAttribute("aria-modal", "true");
    const form = dialog.querySelector("form");
    expect(form).toHaveAttribute("id", "kit-form");
    expect(form).toHaveAttribute("novalidate");
    expect(within(dialog).getByLabelText("Name")).toHaveFocus();
    const save = within(dialog).getByRole("button", { name: "Save" });
    expect(save).toHaveAttribute("type", "submit");
    expect(save).toHaveAttribute("form", "kit-form");
    expect(save).toHaveClass("btn-primary");
    // The alert region is there before any error, so the error is announced when it comes.
    expect(within(dialog).getByRole("alert")).toHaveTextContent(/^$/);
  });

  it("starts on Cancel when there is nothing to type, and says a confirmation is one", () => {
    const { dialog } = openDialog({ role: "alertdialog", danger: true, children: markup("<p>It ends their sessions.</p>") });
    expect(dialog).toHaveAccessibleDescription("It ends their sessions.");
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    expect(within(dialog).getByRole("button", { name: "Save" })).toHaveClass("btn-danger");
  });

  it("is busy while the submit runs, then ready again", async () => {
    const saving = deferred();
    const { dialog, onSubmit } = openDialog({ onSubmit: vi.fn(() => saving.promise) });
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));

    const busy = await within(dialog).findByRole("button", { name: "Saving…" });
    expect(busy).toBeDisabled();
    expect(onSubmit).toHaveBeenCalledTimes(1);
    // Submitting again while busy (Enter in a field) does not run it twice.
    dialog.querySelector("form")?.requestSubmit();
    expect(onSubmit).toHaveBeenCalledTimes(1);

    saving.resolve();
    await waitFor(() => expect(within(dialog).getByRole("button", { name: "Save" })).toBeEnabled());
    expect(within(dialog).getByRole("alert")).toHaveTextContent(/^$/);
  });

  it("shows the core's refusal once, in the dialog, and lets the person try again", async () => {
    const refusal = "That name is taken.";
    const onSubmit = vi.fn().mockRejectedValueOnce({ code: "conflict", message: refusal }).mockResolvedValueOnce(undefined);
    const { dialog } = openDialog({ onSubmit });
    const save = within(dialog).getByRole("button", { name: "Save" });
    await userEvent.click(save);

    await waitFor(() => expect(within(dialog).getByRole("alert")).toHaveTextContent(refusal));
    expect(screen.getAllByText(refusal)).toHaveLength(1);
    expect(save).toBeEnabled();
    expect(save).toHaveTextContent("Save");

    await userEvent.click(save);
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(within(dialog).getByRole("alert")).toHaveTextContent(/^$/));
  });

  it("shows a local check's Error by its message alone", async () => {
    const { dialog } = openDialog({
      onSubmit: async () => {
        throw new Error("The two passwords are not the same.");
      },
    });
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(within(dialog).getByRole("alert")).toHaveTextContent(/^The two passwords are not the same\.$/),
    );
  });

  it("cancels with Cancel and with Escape, without submitting", async () => {
    const { dialog, onCancel, onSubmit } = openDialog();
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(onCancel).toHaveBeenCalledTimes(1);
    await userEvent.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("cannot be cancelled halfway when locked while busy", async () => {
    const saving = deferred();
    const { dialog, onCancel } = openDialog({ lockWhileBusy: true, onSubmit: () => saving.promise });
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await within(dialog).findByRole("button", { name: "Saving…" });

    expect(within(dialog).getByRole("button", { name: "Cancel" })).toBeDisabled();
    await userEvent.keyboard("{Escape}");
    expect(onCancel).not.toHaveBeenCalled();

    saving.reject({ code: "keychain", message: "The keychain is locked." });
    await waitFor(() => expect(within(dialog).getByRole("button", { name: "Cancel" })).toBeEnabled());
    await userEvent.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it("keeps the submit disabled while the caller says so, and can be wide", () => {
    const { dialog } = openDialog({ submitDisabled: true, wide: true });
    expect(within(dialog).getByRole("button", { name: "Save" })).toBeDisabled();
    expect(dialog).toHaveClass("wide");
  });
});

describe("focus on close", () => {
  it("goes back to the button that opened the dialog", () => {
    const button = opener();
    const { dialog, unmount } = openDialog();
    expect(within(dialog).getByLabelText("Name")).toHaveFocus();
    unmount();
    expect(button).toHaveFocus();
  });

  it("goes to the page's heading when the opener is gone", () => {
    const page = place(document.createElement("main"));
    page.innerHTML = "<h1>Assets</h1>";
    const button = opener();
    const { unmount } = openDialog();
    // The row or menu that held the button went away while the dialog was open.
    button.remove();
    unmount();
    const heading = screen.getByRole("heading", { name: "Assets" });
    expect(heading).toHaveFocus();
    expect(heading).toHaveAttribute("tabindex", "-1");
  });

  it("goes where the caller says when the opener is gone", () => {
    const list = place(document.createElement("button"));
    list.textContent = "Add asset";
    const button = opener();
    const { unmount } = openDialog({ returnFocus: () => list });
    button.remove();
    unmount();
    expect(list).toHaveFocus();
  });
});

describe("Field", () => {
  it("labels its control", () => {
    render(Field, { id: "kit-email", label: "Email", children: input });
    const email = screen.getByLabelText("Email");
    expect(email).toHaveAttribute("id", "kit-email");
    expect(email).not.toHaveAttribute("aria-describedby");
    expect(email).not.toHaveAttribute("aria-invalid");
    expect(email.closest(".field")).not.toBeNull();
  });

  it("draws an input when given no control, with the other props on it", () => {
    render(Field, { id: "kit-port", label: "Port", class: "short", type: "number", min: 1, value: 587 });
    const port = screen.getByLabelText("Port");
    expect(port.tagName).toBe("INPUT");
    expect(port).toHaveClass("input", "short");
    expect(port).toHaveAttribute("type", "number");
    expect(port).toHaveAttribute("min", "1");
    expect(port).toHaveValue(587);
  });

  it("draws a select of the options, in their order", () => {
    const options = { enterprise: "Enterprise", team: "Team", free: "Free" };
    render(Field, { id: "kit-plan", label: "Plan", hint: "Auto-deprovisioning needs Enterprise.", options, value: "team" });
    const plan = screen.getByRole("combobox", { name: "Plan" });
    expect(plan).toHaveValue("team");
    expect(plan).toHaveAccessibleDescription("Auto-deprovisioning needs Enterprise.");
    expect(within(plan).getAllByRole("option").map((option) => option.textContent)).toEqual(["Enterprise", "Team", "Free"]);
  });

  it("puts a button beside its control", () => {
    render(Field, { id: "kit-org", label: "Organization name", class: "grow", button: markup("<button>Rename</button>") });
    const name = screen.getByLabelText("Organization name");
    expect(name).toHaveClass("input", "grow");
    expect(name.parentElement).toHaveClass("inline");
    expect(name.nextElementSibling).toBe(screen.getByRole("button", { name: "Rename" }));
  });

  it("says a field is optional, muted, in its label", () => {
    render(Field, { id: "kit-note", label: "Note", optional: true, children: input });
    expect(screen.getByLabelText("Note (optional)")).toHaveAttribute("id", "kit-note");
    expect(screen.getByText("(optional)")).toHaveClass("muted");
  });

  it("ties its hint to the control", () => {
    const hint = "Separate addresses with commas.";
    render(Field, { id: "kit-recipients", label: "Recipients", hint, children: input });
    const recipients = screen.getByLabelText("Recipients");
    expect(recipients).toHaveAttribute("aria-describedby", "kit-recipients-note");
    expect(recipients).toHaveAccessibleDescription(hint);
    expect(screen.getByText(hint)).toHaveClass("hint");
  });

  it("keeps an empty live region for a problem, ready to announce it", () => {
    render(Field, { id: "kit-tenant", label: "Tenant", error: "", children: input });
    const tenant = screen.getByLabelText("Tenant");
    expect(tenant).not.toHaveAttribute("aria-invalid");
    const region = document.getElementById("kit-tenant-problem");
    expect(region).toHaveAttribute("aria-live", "polite");
    expect(region).toHaveTextContent(/^$/);
  });

  it("reads a problem first, then the hint, and marks the control invalid", () => {
    render(Field, {
      id: "kit-secret",
      label: "Client secret",
      error: "This looks like the secret's ID.",
      hint: "The secret's Value.",
      children: input,
    });
    const secret = screen.getByLabelText("Client secret");
    expect(secret).toHaveAttribute("aria-invalid", "true");
    expect(secret).toHaveAccessibleDescription("This looks like the secret's ID. The secret's Value.");
    expect(screen.getByText("This looks like the secret's ID.")).toHaveAttribute("id", "kit-secret-problem");
  });
});

describe("ConfirmDialog", () => {
  const turnOff = {
    title: "Turn encryption off?",
    confirmLabel: "Turn encryption off",
    busyLabel: "Turning off…",
    busy: false,
    onCancel: () => {},
    children: markup("<p>New backups will not be encrypted.</p>"),
  };

  it("asks with Cancel focused, the safe answer, and says when the action is under way", async () => {
    const onConfirm = vi.fn();
    const { rerender } = render(ConfirmDialog, { ...turnOff, onConfirm });
    const dialog = screen.getByRole("alertdialog", { name: "Turn encryption off?" });
    expect(dialog).toHaveTextContent("New backups will not be encrypted.");
    await waitFor(() => expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus());
    await userEvent.click(within(dialog).getByRole("button", { name: "Turn encryption off" }));
    expect(onConfirm).toHaveBeenCalledOnce();

    await rerender({ busy: true });
    expect(within(dialog).getByRole("button", { name: "Turning off…" })).toBeDisabled();
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says why the action failed when it stays open to say so", () => {
    render(ConfirmDialog, { ...turnOff, onConfirm: () => {}, error: "The keychain is locked." });
    expect(screen.getByRole("alert")).toHaveTextContent("The keychain is locked.");
  });
});

describe("empty dates", () => {
  it("marks an empty period end, so it reads as a placeholder, and says it means any date", async () => {
    render(PeriodFields, { idPrefix: "kit", since: "", until: "2025-03-31" });
    const from = screen.getByLabelText("From");
    expect(from).toHaveClass("empty");
    expect(from).toHaveAccessibleDescription("Any date");
    const to = screen.getByLabelText("To");
    expect(to).not.toHaveClass("empty");
    expect(to).toHaveAccessibleDescription("");

    await fireEvent.input(from, { target: { value: "2025-01-01" } });
    expect(from).not.toHaveClass("empty");
    expect(screen.queryByText("Any date")).not.toBeInTheDocument();
  });

  it("marks an empty date Field the same way", async () => {
    render(Field, { id: "kit-expires", label: "Expires", optional: true, type: "date", value: "" });
    const expires = screen.getByLabelText("Expires (optional)");
    expect(expires).toHaveClass("input", "empty");
    await fireEvent.input(expires, { target: { value: "2027-12-06" } });
    expect(expires).not.toHaveClass("empty");
  });
});

describe("CheckField", () => {
  it("is a labelled checkbox described by its hint, reporting each change", async () => {
    const onchange = vi.fn();
    render(CheckField, { id: "x-remind", label: "Send reminders", hint: "Weekly while overdue.", checked: false, onchange });
    const box = screen.getByRole("checkbox", { name: "Send reminders" });
    expect(box).toHaveAccessibleDescription("Weekly while overdue.");
    expect(box).not.toBeChecked();
    await userEvent.click(box);
    expect(onchange).toHaveBeenCalledTimes(1);
  });

  it("can be disabled while its value is unknown or being saved", () => {
    render(CheckField, { id: "x-auto", label: "Start at login", hint: "Hint.", checked: true, disabled: true, onchange: () => {} });
    const box = screen.getByRole("checkbox", { name: "Start at login" });
    expect(box).toBeDisabled();
    expect(box).toBeChecked();
  });
});
