import { describe, expect, it } from "vitest";
import { backend, toErrorReport } from "../src/lib/api";
import { mockCore } from "./fixtures";

describe("toErrorReport", () => {
  it("keeps a ErrorReport-shaped rejection as it is", () => {
    expect(toErrorReport({ code: "bad_password", message: "Wrong password.", extra: 1 })).toEqual({
      code: "bad_password",
      message: "Wrong password.",
    });
  });

  it("wraps anything else as unexpected", () => {
    expect(toErrorReport("disk full")).toEqual({ code: "unexpected", message: "disk full" });
    expect(toErrorReport({ message: "no code" })).toEqual({ code: "unexpected", message: "[object Object]" });
    expect(toErrorReport(undefined)).toEqual({ code: "unexpected", message: "undefined" });
    expect(toErrorReport(new Error("boom"))).toEqual({ code: "unexpected", message: "Error: boom" });
  });
});

describe("backend", () => {
  it("sends the contract's command names and argument shapes", async () => {
    const calls = mockCore({
      list_users: () => ({ users: [], counts: { all: 0, active: 0, deactivated: 0 } }),
      sign_in: () => ({}),
    });
    await backend.listUsers({ status: "active", search: "ann" });
    await backend.signIn("a@b.test", "pw");
    expect(calls).toEqual([
      { cmd: "list_users", args: { query: { status: "active", search: "ann" } } },
      { cmd: "sign_in", args: { email: "a@b.test", password: "pw" } },
    ]);
  });

  it("rejects with the core's ErrorReport unchanged", async () => {
    const error = { code: "account_deactivated", message: "This account is deactivated." };
    mockCore({
      sign_in: () => {
        throw error;
      },
    });
    await expect(backend.signIn("a@b.test", "pw")).rejects.toEqual(error);
  });

  it("normalises a non-ErrorReport rejection", async () => {
    mockCore({
      list_assets: () => Promise.reject("command list_assets not found"),
    });
    await expect(backend.listAssets()).rejects.toEqual({
      code: "unexpected",
      message: "command list_assets not found",
    });
  });
});
