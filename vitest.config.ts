import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests bind loopback ports and spawn brokers; two cores is all CI has.
    pool: "forks",
    maxWorkers: 2,
  },
});
