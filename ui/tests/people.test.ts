// Running the organization's people from the Users tab: add, edit, set a password, import.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { open } from "@tauri-apps/plugin-dialog";
import UsersTab from "../src/screens/settings/UsersTab.svelte";
import type { User } from "../src/bindings/User";
import type { UserRow } from "../src/bindings/UserRow";
import { asRow, callsTo, makeUser, mockCore, usersWindow } from "./fixtures";

vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn(), save: vi.fn() }));
const picker = vi.mocked(open);

const counts = { all: 2, active: 2, deactivated: 0 };
const ann = makeUser(1, { display_name: "Ann Admin", role: "admin", email: "ann@acme.test" });

function core(rows: UserRow[], handlers: Record<string, (args: Record<string, unknown>) => unknown> = {}, mayAdd = true) {
  return mockCore({ list_users: usersWindow(rows, counts, mayAdd), ...handlers });
}

async function openMenuItem(user: User, item: string) {
  await userEvent.click(await screen.findByRole("button", { name: `Actions for ${user.display_name}` }));
  await userEvent.click(screen.getByRole("menuitem", { name: item }));
}

beforeEach(() => picker.mockReset());

describe("adding people", () => {
  it("adds a password user with an initial password, then lists them again", async () => {
    const calls = core([asRow(ann)], { add_user: () => makeUser(7, { display_name: "Nina New" }) });
    render(UsersTab);

    await userEvent.click(await screen.findByRole("button", { name: "Add user" }));
    const dialog = screen.getByRole("dialog", { name: "Add user" });
    await userEvent.type(within(dialog).getByLabelText("Email"), "nina@acme.test");
    await userEvent.type(within(dialog).getByLabelText("Name"), "Nina New");
    await userEvent.selectOptions(within(dialog).getByLabelText("Role"), "admin");
    await userEvent.type(within(dialog).getByLabelText("Initial password"), "correct horse battery");
    await userEvent.type(within(dialog).getByLabelText("Repeat the password"), "correct horse battery");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add user" }));

    expect(callsTo(calls, "add_user")).toEqual([
      {
        cmd: "add_user",
        args: {
          user: { email: "nina@acme.test", display_name: "Nina New", role: "admin", sign_in: "password", entra_object_id: null },
          password: "correct horse battery",
        },
      },
    ]);
    expect(await screen.findByText("Nina New was added.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(callsTo(calls, "list_users")).toHaveLength(2);
  });

  it("catches different passwords before asking the core", async () => {
    const calls = core([asRow(ann)], { add_user: () => makeUser(7) });
    render(UsersTab);
    await userEvent.click(await screen.findByRole("button", { name: "Add user" }));
    const dialog = screen.getByRole("dialog", { name: "Add user" });
    await userEvent.type(within(dialog).getByLabelText("Initial password"), "one long password");
    await userEvent.type(within(dialog).getByLabelText("Repeat the password"), "another long password");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add user" }));

    expect(within(dialog).getByRole("alert")).toHaveTextContent("The two passwords are not the same.");
    expect(callsTo(calls, "add_user")).toHaveLength(0);
  });

  it("sends a Microsoft user's Entra object ID and no password, and shows the core's refusal as is", async () => {
    const calls = core([asRow(ann)], {
      add_user: () => {
        throw { code: "duplicate_email", message: "A user with the email mo@acme.test already exists." };
      },
    });
    render(UsersTab);
    await userEvent.click(await screen.findByRole("button", { name: "Add user" }));
    const dialog = screen.getByRole("dialog", { name: "Add user" });
    await userEvent.type(within(dialog).getByLabelText("Email"), "mo@acme.test");
    await userEvent.type(within(dialog).getByLabelText("Name"), "Mo");
    await userEvent.selectOptions(within(dialog).getByLabelText("Sign-in method"), "microsoft");
    expect(within(dialog).queryByLabelText("Initial password")).not.toBeInTheDocument();
    await userEvent.type(within(dialog).getByLabelText(/Entra object ID/), " 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 ");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add user" }));

    expect(callsTo(calls, "add_user")[0].args).toEqual({
      user: {
        email: "mo@acme.test",
        display_name: "Mo",
        role: "member",
        sign_in: "microsoft",
        entra_object_id: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
      },
      password: null,
    });
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("A user with the email mo@acme.test already exists.");
  });

  it("offers neither Add nor Import when the core says the person may not add", async () => {
    core([asRow(ann)], {}, false);
    render(UsersTab);
    await screen.findByRole("table", { name: "Users" });
    expect(screen.queryByRole("button", { name: "Add user" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Import CSV…" })).not.toBeInTheDocument();
  });
});

describe("editing people", () => {
  it("edits name and role from the row's menu", async () => {
    const calls = core([asRow(ann, { edit: true })], { edit_user: () => ({ ...ann, role: "member" }) });
    render(UsersTab);
    await openMenuItem(ann, "Edit");

    const dialog = screen.getByRole("dialog", { name: "Edit Ann Admin" });
    expect(within(dialog).getByLabelText("Email")).toHaveValue("ann@acme.test");
    expect(within(dialog).getByLabelText("Email")).toHaveAttribute("readonly");
    const name = within(dialog).getByLabelText("Name");
    await userEvent.clear(name);
    await userEvent.type(name, "Ann Andrews");
    await userEvent.selectOptions(within(dialog).getByLabelText("Role"), "member");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(callsTo(calls, "edit_user")).toEqual([
      {
        cmd: "edit_user",
        args: { userId: 1, edit: { display_name: "Ann Andrews", role: "member", sign_in: "password", entra_object_id: null } },
      },
    ]);
  });

  it("shows the core's refusal when an Admin edits an Owner, and keeps the dialog open", async () => {
    const olivia = makeUser(2, { display_name: "Olivia Owner", role: "owner" });
    core([asRow(olivia, { edit: true })], {
      edit_user: () => {
        throw { code: "needs_owner", message: "Only an Owner can edit an Owner." };
      },
    });
    render(UsersTab);
    await openMenuItem(olivia, "Edit");
    const dialog = screen.getByRole("dialog", { name: "Edit Olivia Owner" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Only an Owner can edit an Owner.");
  });

  it("offers Edit and Set password only where the core allows them", async () => {
    core([asRow(ann, { edit: false, set_password: false })]);
    render(UsersTab);
    await userEvent.click(await screen.findByRole("button", { name: "Actions for Ann Admin" }));
    expect(screen.queryByRole("menuitem", { name: "Edit" })).not.toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Set password" })).not.toBeInTheDocument();
  });

  it("sets someone's password after checking the two match", async () => {
    const calls = core([asRow(ann, { set_password: true })], { set_user_password: () => null });
    render(UsersTab);
    await openMenuItem(ann, "Set password");
    const dialog = screen.getByRole("dialog", { name: "Set a password for Ann Admin" });
    await userEvent.type(within(dialog).getByLabelText("New password"), "a brand new passphrase");
    await userEvent.type(within(dialog).getByLabelText("Repeat the password"), "a brand new passphrase");
    await userEvent.click(within(dialog).getByRole("button", { name: "Set password" }));

    expect(callsTo(calls, "set_user_password")).toEqual([
      { cmd: "set_user_password", args: { userId: 1, password: "a brand new passphrase" } },
    ]);
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByText("Ann Admin was given a new password.")).toBeInTheDocument();
  });
});

describe("the list", () => {
  it("shows how many assets each person holds, and the whole address", async () => {
    const long = makeUser(3, { display_name: "Long", email: "firstname.lastname@subsidiary.example.com" });
    core([{ ...asRow(ann), assets_held: 3 }, asRow(long)]);
    render(UsersTab);
    expect(await screen.findByRole("cell", { name: "3 assets" })).toHaveTextContent("3");
    expect(screen.getByRole("cell", { name: "0 assets" })).toBeInTheDocument();
    expect(screen.getByText("firstname.lastname@subsidiary.example.com")).toBeInTheDocument();
  });
});

describe("importing a CSV file", () => {
  const good = { line: 2, user: { email: "a@acme.test", display_name: "A", role: "member", sign_in: "google", entra_object_id: null } };

  it("lists every bad row with its line and reason, and imports nothing", async () => {
    picker.mockResolvedValue("/home/o/people.csv");
    const calls = core([asRow(ann)], {
      preview_import: () => ({
        rows: [good],
        problems: [
          { line: 3, reason: "role: \"boss\" is not a role (owner, admin or member)" },
          { line: 5, reason: "email: not an email address" },
        ],
      }),
      import_users: () => ({ imported: 1 }),
    });
    render(UsersTab);
    await userEvent.click(await screen.findByRole("button", { name: "Import CSV…" }));
    const dialog = screen.getByRole("dialog", { name: "Import users from CSV" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Choose a CSV file…" }));

    expect(callsTo(calls, "preview_import")).toEqual([{ cmd: "preview_import", args: { path: "/home/o/people.csv" } }]);
    const problems = await within(dialog).findByRole("list", { name: "Problems" });
    expect(within(problems).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      'Line 3: role: "boss" is not a role (owner, admin or member)',
      "Line 5: email: not an email address",
    ]);
    expect(within(dialog).getByText(/2 rows with problems/)).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Import" })).toBeDisabled();
    expect(callsTo(calls, "import_users")).toHaveLength(0);
  });

  it("previews a good file, imports it, and says how many", async () => {
    picker.mockResolvedValue("/home/o/good.csv");
    const calls = core([asRow(ann)], {
      preview_import: () => ({ rows: [good, { ...good, line: 3, user: { ...good.user, email: "b@acme.test" } }], problems: [] }),
      import_users: () => ({ imported: 2 }),
    });
    render(UsersTab);
    await userEvent.click(await screen.findByRole("button", { name: "Import CSV…" }));
    const dialog = screen.getByRole("dialog", { name: "Import users from CSV" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Choose a CSV file…" }));

    const table = await within(dialog).findByRole("table", { name: "Rows in the file" });
    expect(within(table).getByText("b@acme.test")).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Import 2 users" }));

    expect(callsTo(calls, "import_users")).toEqual([{ cmd: "import_users", args: { path: "/home/o/good.csv" } }]);
    expect(await screen.findByText("Imported 2 users.")).toBeInTheDocument();
    expect(callsTo(calls, "list_users")).toHaveLength(2);
  });

  it("does nothing when the file picker is cancelled", async () => {
    picker.mockResolvedValue(null);
    const calls = core([asRow(ann)], { preview_import: () => ({ rows: [], problems: [] }) });
    render(UsersTab);
    await userEvent.click(await screen.findByRole("button", { name: "Import CSV…" }));
    await userEvent.click(screen.getByRole("button", { name: "Choose a CSV file…" }));
    expect(picker).toHaveBeenCalledTimes(1);
    expect(callsTo(calls, "preview_import")).toHaveLength(0);
  });

  it("shows the core's message for an unreadable file", async () => {
    picker.mockResolvedValue("/nope.csv");
    core([asRow(ann)], {
      preview_import: () => {
        throw { code: "unreadable_file", message: "The file could not be read: No such file or directory. Nothing was imported." };
      },
    });
    render(UsersTab);
    await userEvent.click(await screen.findByRole("button", { name: "Import CSV…" }));
    const dialog = screen.getByRole("dialog", { name: "Import users from CSV" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Choose a CSV file…" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The file could not be read");
  });
});
