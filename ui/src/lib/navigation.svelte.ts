// Where the window is asked to go: the tray's "Renew client secret…" ("entra"), "Back up
// now…" ("backups") and "Update available…" ("updates"), and every action on Home (the core's
// `Place`s). Main takes a request,
// opens the section, and the section's page picks its tab or card and clears the request,
// so it is followed once.
import type { Place } from "../bindings/Place";

export type PageRequest = Place | "updates";

export const pageRequest: { pending: PageRequest | null } = $state({ pending: null });

export type Section = "home" | "people" | "assets" | "settings";

/** The sidebar section a place belongs to. */
export function sectionOf(place: PageRequest): Section {
  switch (place) {
    case "people":
    case "people_cannot_sign_in":
    case "people_not_linked":
      return "people";
    case "leavers":
    case "assets":
      return "assets";
    case "entra":
    case "backups":
    case "email_alerts":
    case "audit_log":
    case "updates":
      return "settings";
  }
}
