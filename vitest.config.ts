import { defineConfig } from "vitest/config";

// Three projects, all run by `npm test`: `unit` (pure code, fast, no sockets), `integration`
// (real sockets on loopback: HA simulator, mosquitto, Modbus TCP, Chromium) and `faults` (the
// fault suite: the add-on under crashes, drops, damaged files and clock jumps; prints a table).
// One file alone: `npx vitest run test/core/optimiser.test.ts`.
const UNIT = [
  "test/core/**/*.test.ts",
  "test/scenario/**/*.test.ts",
  "test/ha/readers/**/*.test.ts",
  "test/config/**/*.test.ts",
  "test/setup/**/*.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests bind loopback ports and spawn brokers; two cores is all CI has.
    pool: "forks",
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "unit", include: UNIT } },
      {
        extends: true,
        test: { name: "integration", include: ["test/**/*.test.ts"], exclude: [...UNIT, "test/faults/**"] },
      },
      {
        extends: true,
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          globalSetup: ["test/faults/table.ts"],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
