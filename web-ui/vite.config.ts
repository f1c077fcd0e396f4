import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The server serves the built files under /ui/ from its own jar (docs/adr/0009-web-ui-stack.md);
// `npm run build` writes them where Maven packages them (web-ui/target/classes/evidentsource-ui).
// `npm run dev` proxies the REST API to a server on 127.0.0.1:8080 (or $EVIDENTSOURCE_API).
export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: "target/classes/evidentsource-ui",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: { "/api": process.env.EVIDENTSOURCE_API ?? "http://127.0.0.1:8080" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
