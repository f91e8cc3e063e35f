import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";

// jsdom has no layout, so no ResizeObserver; Svelte's bind:clientHeight needs one to exist.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

// Nor scrolling: a page that brings a card into view (Home's actions) finds it does nothing.
Element.prototype.scrollIntoView ??= function () {};

// Unmount first: components stop listening to events through the mocks clearMocks removes.
afterEach(() => {
  cleanup();
  clearMocks();
});
