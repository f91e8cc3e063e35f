import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

// Tauri loads the dev server from devUrl http://localhost:1420 and the build from ui/dist.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false, // keep the Rust build output visible when run by `tauri dev`
  server: { port: 1420, strictPort: true },
  build: { outDir: "dist", emptyOutDir: true },
  test: {
    environment: "jsdom",
    setupFiles: ["./tests/setup.ts"],
    include: ["tests/**/*.test.ts"],
  },
});
