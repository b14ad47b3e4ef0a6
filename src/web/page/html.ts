// The page's markup. Every URL in it is relative so that it works behind HA's ingress prefix;
// `basePath` (from X-Ingress-Path, already validated) only pins the base for a URL without its
// trailing slash.
import { pageMain } from "./client.js";

export function renderIndexHtml(basePath?: string, timeZone?: string): string {
  const base = basePath === undefined ? "" : `\n    <base href="${basePath}/" />`;
  // Times are shown in the home's zone, which need not be the browser's.
  const zone = timeZone && /^[A-Za-z0-9_+\-/]+$/.test(timeZone) ? ` data-time-zone="${timeZone}"` : "";
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />${base}
    <title>Battery Planner</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="uplot.css" />
    <link rel="stylesheet" href="style.css" />
  </head>
  <body${zone}>
    <header>
      <h1>Battery Planner</h1>
      <span id="updated" class="muted"></span>
    </header>
    <div id="error" role="alert" hidden></div>
    <main>
      <section class="card" id="status-card">
        <h2>Status</h2>
        <p><span id="status-state" class="badge">…</span> <span id="status-reason">loading</span></p>
        <dl>
          <dt>Now</dt><dd id="status-command">–</dd>
          <dt>Control</dt><dd id="status-control">–</dd>
          <dt>Battery</dt><dd id="status-battery">–</dd>
        </dl>
      </section>
      <section class="card wide" id="setup-card" hidden>
        <h2>Found in Home Assistant</h2>
        <ul id="setup-lines"></ul>
        <p id="setup-missing" class="setup-missing" hidden></p>
        <details>
          <summary>Options to paste (Configuration tab → ⋮ → Edit in YAML)</summary>
          <pre id="setup-yaml"></pre>
        </details>
      </section>
      <section class="card">
        <h2>Next actions</h2>
        <ol id="next-actions"></ol>
      </section>
      <section class="card">
        <h2>Cost over the plan</h2>
        <dl>
          <dt>Predicted cost</dt><dd id="cost-net">–</dd>
          <dt>Without the battery</dt><dd id="cost-idle">–</dd>
          <dt>Saving</dt><dd id="cost-saving">–</dd>
          <dt>SOC at the end</dt><dd id="cost-final-soc">–</dd>
        </dl>
      </section>
      <section class="card" id="day-score-card">
        <h2>Day score</h2>
        <p id="day-score-empty" class="muted">…</p>
        <div id="day-score-latest" hidden>
          <p class="day-score-headline"><span id="day-score-day"></span>: <strong id="day-score-share"></strong></p>
          <dl id="day-score-lines"></dl>
          <p id="day-score-note" class="muted"></p>
        </div>
        <table id="day-score-recent" hidden>
          <thead><tr><th>Day</th><th>Share</th><th>Saved</th><th></th></tr></thead>
          <tbody id="day-score-rows"></tbody>
        </table>
      </section>
      <section class="card wide">
        <h2>Plan</h2>
        <p id="no-plan" hidden>No plan yet: waiting for rates and the battery's state.</p>
        <p id="plan-meta" class="muted"></p>
        <ul class="modes">
          <li class="mode-self-use">self-use</li><li class="mode-charge">charge</li>
          <li class="mode-hold">hold</li><li class="mode-export">export</li>
        </ul>
        <div id="chart"></div>
        <p id="chart-axes" class="muted" hidden></p>
      </section>
      <section class="card wide">
        <h2>Scheduled jobs</h2>
        <div class="scroll">
        <table>
          <thead><tr><th>Job</th><th>Started</th><th>Outcome</th><th>Took</th><th>Try</th><th>Message</th></tr></thead>
          <tbody id="jobs-body"></tbody>
        </table>
        </div>
        <p id="jobs-empty" class="muted">No job has run yet.</p>
      </section>
    </main>
    <script src="uplot.js"></script>
    <script src="app.js"></script>
  </body>
</html>
`;
}

/** The browser script. tsx (the demo) wraps inner functions in an `__name` helper that only exists
 * in Node; the stub makes the same source run in the browser. */
export function renderClientScript(): string {
  return `"use strict";\nvar __name = (target) => target;\n(${pageMain.toString()})();\n`;
}
