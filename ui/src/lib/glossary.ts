// The technical words the window cannot avoid, each explained in one line for an owner who
// has never opened the Microsoft Entra admin center. Term.svelte shows them on demand.

export const glossary = {
  tenant: {
    name: "tenant",
    meaning:
      "Your organization in Microsoft Entra ID: the directory that holds its Microsoft 365 accounts. Its ID is a GUID, or a domain such as contoso.onmicrosoft.com.",
  },
  app_registration: {
    name: "app registration",
    meaning:
      "An entry in your tenant that lets one app — here UniAsset — sign in to Microsoft with its own ID and secret, and only with the permissions you granted it.",
  },
  client_secret: {
    name: "client secret",
    meaning:
      "The password UniAsset's app registration signs in to Microsoft with. It expires (after 12 months when UniAsset made it) and then must be renewed.",
  },
  guard: {
    name: "mass-deactivation guard",
    meaning:
      "A safety stop: a run that would deactivate more people than this at once is held, and nobody is deactivated until you review it.",
  },
  keychain: {
    name: "keychain",
    meaning:
      "The place your computer keeps passwords encrypted, apart from UniAsset's data (GNOME Keyring on Linux). Backups of UniAsset do not contain what is in it.",
  },
} as const;

export type Word = keyof typeof glossary;
