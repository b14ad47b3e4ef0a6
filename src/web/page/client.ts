// The page's script. It runs in the browser, not in Node: the server sends `pageMain`'s source
// (Function.prototype.toString) so the script is type-checked with the rest of the code and the
// add-on still needs no bundler. It must therefore reference nothing outside its own body; the
// imports below are types only and vanish when compiled.
import type UPlot from "uplot";
import type { Mode } from "../../core/types.js";
import type { SetupReport } from "../../setup/render.js";
import type { DayScoresView } from "../day-score-view.js";
import type { ChartData, CurrencyDisplay, JobRunView, PlanView, StatusView } from "../view.js";

export function pageMain(): void {
  const REFRESH_MS = 30_000;
  const MODE_FILL: Record<Mode, string> = {
    "self-use": "rgba(76, 175, 80, 0.14)",
    charge: "rgba(33, 150, 243, 0.22)",
    hold: "rgba(255, 179, 0, 0.24)",
    export: "rgba(171, 71, 188, 0.24)",
  };
  const uPlotCtor = (window as unknown as { uPlot: typeof UPlot }).uPlot;
  let plot: UPlot | undefined;
  let plotVersion = -1;
  // The axes were laid out for a narrow chart (see renderChart); a turned phone lays them out again.
  let plotNarrow = false;
  let lastPlan: PlanView | undefined;
  let bands: ChartData["bands"] = [];
  // The runtime's now (from /api/status), not the browser's: a demo runs on its own clock.
  let nowS = Date.now() / 1000;
  let currency: CurrencyDisplay = { code: "" };

  const byId = (id: string): HTMLElement => {
    const found = document.getElementById(id);
    if (!found) throw new Error(`page element #${id} missing`);
    return found;
  };
  const setText = (id: string, text: string) => {
    byId(id).textContent = text;
  };
  // Money in the home's currency: £1.23 (or 1.23 SEK where there is no symbol to put first);
  // the same rule as view.ts's formatMoney, which this script cannot import.
  const money = (value: number) => {
    const amount = Math.abs(value).toFixed(2);
    const sign = value < 0 && amount !== "0.00" ? "−" : "";
    return currency.symbol
      ? `${sign}${currency.symbol}${amount}`
      : `${sign}${amount} ${currency.code}`.trim();
  };
  // Prices per kWh in the hundredth where there is one (15.2p), else in the main unit.
  const priceUnit = () => `${currency.minorSymbol ?? currency.code}/kWh`;
  const priceValue = (perKwh: number) =>
    currency.minorSymbol ? `${(perKwh * 100).toFixed(1)}` : perKwh.toFixed(3);
  // One time format for the whole page: 24-hour HH:MM in the home's zone (when the add-on says
  // it: HA users may browse from elsewhere), with the weekday when it is not today.
  const timeZone = document.body.dataset.timeZone || undefined;
  const inZone = timeZone ? { timeZone } : {};
  const dayOf = (at: Date) => at.toLocaleDateString("en-CA", inZone);
  const weekday = (at: Date) => at.toLocaleDateString("en-GB", { weekday: "short", ...inZone });
  const hourMinute = (at: Date) =>
    at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, ...inZone });
  const time = (ms: number) => {
    const at = new Date(ms);
    return dayOf(at) === dayOf(new Date(nowS * 1000)) ? hourMinute(at) : `${weekday(at)} ${hourMinute(at)}`;
  };
  // Axis ticks: the same HH:MM; midnight carries the weekday instead.
  const axisTime = (seconds: number) => {
    const at = new Date(seconds * 1000);
    const hm = hourMinute(at);
    return hm === "00:00" ? weekday(at) : hm;
  };
  const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

  async function getJson<T>(path: string): Promise<T> {
    // Relative paths: under HA's ingress the page lives at /api/hassio_ingress/<token>/.
    const response = await fetch(path, { cache: "no-store" });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  function describeAction(mode: Mode, targetSocPct?: number, powerW?: number): string {
    const parts: string[] = [mode];
    if (targetSocPct !== undefined) parts.push(`to ${Math.round(targetSocPct)} %`);
    if (powerW !== undefined && powerW > 0) parts.push(`at ${(powerW / 1000).toFixed(1)} kW`);
    return parts.join(" ");
  }

  function renderStatus(status: StatusView): void {
    nowS = status.nowMs / 1000;
    currency = status.currency;
    const badge = byId("status-state");
    badge.textContent = status.state;
    badge.className = `badge state-${status.state}`;
    setText("status-reason", status.reason);
    setText("status-control", status.controlEnabled ? "on" : "off (plan only)");
    const command = status.currentCommand;
    setText(
      "status-command",
      command ? describeAction(command.mode, command.targetSocPct, command.powerW) : "none",
    );
    setText("status-battery", status.battery ? describeBattery(status.battery) : "–");
    setText("updated", `updated ${time(status.updatedAtMs)}`);
  }

  /** "62 %, discharging 1.3 kW (12:30)": power only where battery.power_entity is set. */
  function describeBattery(battery: NonNullable<StatusView["battery"]>): string {
    const parts = [`${Math.round(battery.socPct)} %`];
    const w = battery.powerW;
    if (w !== undefined) {
      parts.push(
        Math.abs(w) < 50
          ? "idle"
          : `${w > 0 ? "charging" : "discharging"} ${(Math.abs(w) / 1000).toFixed(1)} kW`,
      );
    }
    return `${parts.join(", ")} (${time(battery.readAtMs)})`;
  }

  function renderNextActions(plan: PlanView): void {
    const list = byId("next-actions");
    list.replaceChildren();
    for (const action of plan.nextActions) {
      const item = document.createElement("li");
      item.className = `mode-${action.mode}`;
      const when = document.createElement("span");
      when.className = "when";
      when.textContent = `${time(action.atMs)}–${time(action.untilMs)}`;
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = describeAction(action.mode, action.targetSocPct, action.powerW);
      item.append(when, what);
      list.append(item);
    }
    if (plan.nextActions.length === 0) {
      const item = document.createElement("li");
      item.textContent = "nothing planned";
      list.append(item);
    }
  }

  function renderCost(plan: PlanView): void {
    setText("cost-net", money(plan.summary.netCost));
    setText("cost-idle", money(plan.summary.idleCost));
    setText("cost-saving", money(plan.summary.saving));
    setText("cost-final-soc", `${Math.round(plan.summary.finalSocPct)} %`);
    setText(
      "plan-meta",
      `Plan v${plan.planVersion} made ${time(plan.computedAtMs)} (${plan.reason}), ` +
        `${time(plan.startMs)} to ${time(plan.endMs)}, ${plan.summary.modeChanges} mode changes`,
    );
  }

  function renderDayScores(days: DayScoresView): void {
    const empty = byId("day-score-empty");
    empty.textContent = days.empty ?? "";
    empty.hidden = days.empty === undefined;
    const latest = days.latest;
    byId("day-score-latest").hidden = !latest;
    if (latest) {
      setText("day-score-day", latest.label);
      setText("day-score-share", latest.headline);
      byId("day-score-lines").replaceChildren(
        ...latest.lines.flatMap((line) => {
          const term = document.createElement("dt");
          term.textContent = line.term;
          const value = document.createElement("dd");
          value.textContent = line.value;
          return [term, value];
        }),
      );
      const note = byId("day-score-note");
      note.textContent = latest.note ?? "";
      note.hidden = latest.note === undefined;
    }
    byId("day-score-recent").hidden = days.recent.length === 0;
    byId("day-score-rows").replaceChildren(
      ...days.recent.map((day) => {
        const row = document.createElement("tr");
        for (const text of [day.label, day.share, day.saving]) {
          const cell = document.createElement("td");
          cell.textContent = text;
          row.append(cell);
        }
        const tag = document.createElement("td");
        tag.className = "replayed-tag";
        // The battery was not driven that day: the saving is what the plans would have made.
        tag.textContent = day.replayed ? "not driven" : "";
        row.append(tag);
        return row;
      }),
    );
  }

  function drawBands(u: UPlot): void {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    ctx.save();
    for (const band of bands) {
      const x0 = u.valToPos(band.startS, "x", true);
      const x1 = u.valToPos(band.endS, "x", true);
      ctx.fillStyle = MODE_FILL[band.mode];
      ctx.fillRect(x0, top, x1 - x0, height);
    }
    ctx.restore();
  }

  function drawNow(u: UPlot): void {
    const x = u.valToPos(nowS, "x", true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = "rgba(120, 120, 120, 0.9)";
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }

  function chartWidth(): number {
    return Math.max(240, byId("chart").clientWidth);
  }
  const isNarrow = () => chartWidth() < 560;

  function renderChart(plan: PlanView): void {
    const chart = plan.chart;
    lastPlan = plan;
    bands = chart.bands;
    const data: UPlot.AlignedData = [
      chart.xS,
      chart.importPricePerKwh,
      chart.exportPricePerKwh,
      chart.plannedSocPct,
      chart.actualSocPct,
      chart.loadKw,
      chart.pvKw,
    ];
    if (plot && plotVersion === plan.planVersion) {
      plot.setData(data);
      return;
    }
    plot?.destroy();
    const narrow = isNarrow();
    plotNarrow = narrow;
    setText("chart-axes", `left: price ${priceUnit()} · right: SOC %, then load and PV kW`);
    byId("chart-axes").hidden = !narrow;
    const stepped = uPlotCtor.paths.stepped!({ align: 1 });
    const price = (_u: UPlot, v: number | null) => (v == null ? "–" : `${priceValue(v)} ${priceUnit()}`);
    const pct = (_u: UPlot, v: number | null) => (v == null ? "–" : `${v.toFixed(0)} %`);
    const kw = (_u: UPlot, v: number | null) => (v == null ? "–" : `${v.toFixed(1)} kW`);
    const points = { show: false };
    plot = new uPlotCtor(
      {
        width: chartWidth(),
        height: 320,
        scales: {
          x: { time: true },
          soc: { auto: false, range: [0, 100] },
          // Load and PV are never negative: start at 0 so a flat night of load sits above the axis.
          power: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
        },
        // Tick placement (whole hours, midnights) in the home's zone too.
        ...(timeZone ? { tzDate: (ts: number) => uPlotCtor.tzDate(new Date(ts * 1000), timeZone) } : {}),
        series: [
          { value: (_u, v) => (v == null ? "–" : time(v * 1000)) },
          {
            label: "Import price",
            scale: "price",
            stroke: "#c62828",
            width: 2,
            paths: stepped,
            points,
            value: price,
          },
          {
            label: "Export price",
            scale: "price",
            stroke: "#2e7d32",
            width: 2,
            paths: stepped,
            points,
            value: price,
          },
          {
            label: "Planned SOC",
            scale: "soc",
            stroke: "#1565c0",
            width: 2,
            spanGaps: true,
            points,
            value: pct,
          },
          {
            label: "Actual SOC",
            scale: "soc",
            stroke: "#ef6c00",
            width: 2,
            dash: [6, 3],
            spanGaps: true,
            value: pct,
          },
          {
            label: "Planned load",
            scale: "power",
            stroke: "#546e7a",
            width: 1.5,
            paths: stepped,
            points,
            value: kw,
          },
          {
            label: "Planned PV",
            scale: "power",
            stroke: "#f9a825",
            fill: "rgba(249, 168, 37, 0.18)",
            width: 1.5,
            paths: stepped,
            points,
            value: kw,
          },
        ],
        // Three y axes leave a phone's plot a sliver: there the axes go without their titles
        // (the caption under the chart names them) and as narrow as their numbers.
        axes: [
          { values: (_u, splits) => splits.map((s) => axisTime(s)) },
          {
            scale: "price",
            ...(narrow ? { size: 46 } : { label: `price, ${priceUnit()}` }),
            values: (_u, vals) => vals.map((v) => priceValue(v)),
          },
          {
            scale: "soc",
            side: 1,
            grid: { show: false },
            ...(narrow ? { size: 34 } : { label: "SOC %" }),
          },
          {
            scale: "power",
            side: 1,
            grid: { show: false },
            ...(narrow ? { size: 38 } : { label: "kW", size: 40 }),
          },
        ],
        hooks: { drawClear: [drawBands], draw: [drawNow] },
      },
      data,
      byId("chart"),
    );
    plotVersion = plan.planVersion;
  }

  function renderJobs(runs: JobRunView[]): void {
    const body = byId("jobs-body");
    body.replaceChildren();
    for (const run of runs) {
      const row = document.createElement("tr");
      row.className = `health-${run.health}`;
      const cells = [
        run.job,
        time(run.startedAtMs),
        run.health === "early" ? `${run.outcome} (ran before its time)` : run.outcome,
        run.durationMs === undefined ? "…" : duration(run.durationMs),
        String(run.attempt),
        run.message ?? "",
      ];
      for (const text of cells) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      body.append(row);
    }
    byId("jobs-empty").hidden = runs.length > 0;
  }

  // What auto-detection found at start does not change while the add-on runs: asked for once.
  async function renderSetup(): Promise<void> {
    const { setup } = await getJson<{ setup: SetupReport | null }>("api/setup");
    if (!setup) return;
    const list = byId("setup-lines");
    list.replaceChildren(
      ...setup.lines.map((line) => {
        const item = document.createElement("li");
        item.textContent = line;
        return item;
      }),
    );
    const missing = byId("setup-missing");
    missing.textContent = setup.missing.length > 0 ? `Still to set: ${setup.missing.join(", ")}` : "";
    missing.hidden = setup.missing.length === 0;
    setText("setup-yaml", setup.yaml);
    byId("setup-card").hidden = false;
  }

  async function refresh(): Promise<void> {
    const problem = byId("error");
    try {
      const [status, planResponse, jobs, scores] = await Promise.all([
        getJson<StatusView>("api/status"),
        getJson<{ plan: PlanView | null }>("api/plan"),
        getJson<{ runs: JobRunView[] }>("api/jobs"),
        getJson<{ days: DayScoresView }>("api/day-scores"),
      ]);
      renderStatus(status);
      const plan = planResponse.plan;
      byId("no-plan").hidden = plan !== null;
      if (plan) {
        renderCost(plan);
        renderNextActions(plan);
        renderChart(plan);
      }
      renderDayScores(scores.days);
      renderJobs(jobs.runs);
      problem.hidden = true;
    } catch (error) {
      problem.textContent = `Cannot reach the add-on: ${(error as Error).message}. Retrying…`;
      problem.hidden = false;
    }
    document.body.dataset.loaded = "true";
  }

  // For tests and curious users (browser console): the chart and an immediate refresh.
  (window as unknown as { batteryPlanner: object }).batteryPlanner = {
    refresh,
    get plot() {
      return plot;
    },
  };
  window.addEventListener("resize", () => {
    if (!plot) return;
    if (lastPlan && isNarrow() !== plotNarrow) {
      plotVersion = -1;
      renderChart(lastPlan);
    } else plot.setSize({ width: chartWidth(), height: 320 });
  });
  void refresh();
  renderSetup().catch(() => undefined);
  setInterval(() => void refresh(), REFRESH_MS);
}
