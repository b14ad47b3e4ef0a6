// The page's stylesheet: plain CSS, light and dark following the browser (HA's own theme is not
// visible inside the ingress iframe).
export const PAGE_CSS = `
:root { color-scheme: light dark; --bg: #f5f5f5; --card: #fff; --text: #212121; --muted: #666;
  --border: #ddd; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111; --card: #1c1c1c; --text: #e0e0e0; --muted: #9e9e9e; --border: #333; }
  .uplot .u-legend, .uplot text { color: var(--text); }
}
body { margin: 0; background: var(--bg); color: var(--text); }
header { display: flex; align-items: baseline; gap: 1rem; padding: 0.75rem 1rem; }
h1 { font-size: 1.3rem; margin: 0; }
h2 { font-size: 1rem; margin: 0 0 0.5rem; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 0.75rem;
  padding: 0 1rem 1rem; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem 1rem;
  min-width: 0; }
.wide { grid-column: 1 / -1; }
.muted { color: var(--muted); font-size: 0.85rem; }
#error { margin: 0 1rem 0.75rem; padding: 0.5rem 0.75rem; border-radius: 6px; background: #ffebee; color: #b71c1c; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 999px; font-weight: 600;
  background: #9e9e9e; color: #fff; }
.state-ok { background: #2e7d32; } .state-degraded { background: #ef6c00; }
.state-fallback { background: #c62828; } .state-error { background: #b71c1c; } .state-starting { background: #546e7a; }
.modes { list-style: none; display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0; margin: 0 0 0.5rem; font-size: 0.85rem; }
.modes li { padding: 0.1rem 0.5rem; border-radius: 4px; }
.mode-self-use { background: rgba(76, 175, 80, 0.25); } .mode-charge { background: rgba(33, 150, 243, 0.3); }
.mode-hold { background: rgba(255, 179, 0, 0.35); } .mode-export { background: rgba(171, 71, 188, 0.3); }
#next-actions { margin: 0; padding-left: 1.25rem; }
#next-actions li { padding: 0.15rem 0.4rem; margin-bottom: 0.2rem; border-radius: 4px; }
#next-actions li > span { display: inline-block; margin-right: 0.75rem; }
#next-actions .when { min-width: 9.5rem; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--border); }
.day-score-headline { margin: 0 0 0.5rem; }
#day-score-note { margin: 0.5rem 0 0; }
#day-score-recent { margin-top: 0.5rem; }
#day-score-recent td:nth-child(2), #day-score-recent td:nth-child(3) { font-variant-numeric: tabular-nums; }
.replayed-tag { color: var(--muted); font-style: italic; }
.health-failed td { color: #c62828; }
.health-early td { color: var(--muted); font-style: italic; }
`;
