// The "Found in Home Assistant" card in a real headless Chromium behind the ingress stand-in: shown
// with what auto-detection found, what is still to set and the options to paste; absent when
// detection did not run.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import type { SetupReport } from "../../src/setup/render.js";
import { startWebServer, type WebServerHandle } from "../../src/web/server.js";
import type { WebState } from "../../src/web/state.js";
import { launchChromium } from "./chromium.js";
import { type IngressProxy, startIngressProxy } from "./ingress-proxy.js";
import { knownState, NOW_MS } from "./plan-fixture.js";

const SCREENSHOT = process.env.SETUP_SCREENSHOT ?? join(tmpdir(), "battery-planner-setup-card.png");

const report: SetupReport = {
  lines: [
    "found Octopus Energy import rates: event.octopus_energy_electricity_x_1_current_day_rates → import_tariff",
    "found GivEnergy (GivTCP) inverter: select.givtcp_ce1_mode → control.profile",
  ],
  yaml: "battery:\n  soc_entity: sensor.givtcp_ce1_soc\n",
  missing: ["battery.capacity_kwh"],
  filled: ["battery.soc_entity"],
};

const servers: WebServerHandle[] = [];
const proxies: IngressProxy[] = [];
let browser: Browser;

async function open(state: WebState) {
  const server = await startWebServer({
    host: "127.0.0.1",
    port: 0,
    state,
    nowMs: () => NOW_MS,
    log: createLogger("web-test"),
  });
  servers.push(server);
  const proxy = await startIngressProxy(server.port);
  proxies.push(proxy);
  const page = await browser.newPage();
  await page.goto(proxy.pageUrl);
  await page.waitForFunction(() => document.body.dataset.loaded === "true");
  return page;
}

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const proxy of proxies) await proxy.close();
  for (const server of servers) await server.close();
});

describe("the setup card", () => {
  it("shows what was found, what is missing and the options to paste", async () => {
    const page = await open({ ...knownState({}), setup: report });
    await page.waitForSelector("#setup-card:not([hidden])");
    expect(await page.locator("#setup-lines li").allTextContents()).toEqual(report.lines);
    expect(await page.textContent("#setup-missing")).toBe("Still to set: battery.capacity_kwh");
    await page.click("#setup-card summary");
    expect(await page.textContent("#setup-yaml")).toBe(report.yaml);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("stays hidden when detection did not run", async () => {
    const page = await open(knownState({}));
    await page.waitForFunction(() => document.body.dataset.loaded === "true");
    // The card is filled by a request of its own; give it the same chance.
    await page.waitForLoadState("networkidle");
    expect(await page.isHidden("#setup-card")).toBe(true);
  });
});
