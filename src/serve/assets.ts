/** The explorer's static files, kept as strings so `dist/` needs no copy step. The CSP forbids inline CSS/JS. */
export const STYLE_CSS = `
:root { --fg: #1d2430; --muted: #6b7686; --line: #dfe3ea; --bg: #f7f8fa; --card: #fff; --accent: #2457c5;
  --ok: #2e9d5b; --warn: #d88c16; --bad: #d2453c; --info: #4a78d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
header.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #1d2430; }
header.top a { color: #e8ecf3; }
header.top .brand { font-weight: 700; font-size: 16px; letter-spacing: .3px; }
header.top nav { display: flex; gap: 16px; }
nav.crumbs { padding: 8px 24px; color: var(--muted); background: var(--card); border-bottom: 1px solid var(--line);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
main { padding: 16px 24px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 6px 0 10px; overflow-wrap: anywhere; }
h2 { font-size: 16px; margin: 24px 0 8px; }
h3 { font-size: 13px; margin: 12px 0 4px; }
.muted { color: var(--muted); }
.summary { color: var(--muted); }
.error { color: var(--bad); background: #fdeeee; border: 1px solid #f3c9c6; padding: 8px 10px; border-radius: 4px; white-space: pre-wrap; }
.tag { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; background: #eef1f6; color: var(--fg); }
.tag.ok { background: #e4f4ea; color: #1d6b3d; } .tag.warn { background: #fdf0dc; color: #8a560a; }
.tag.bad { background: #fbe5e3; color: #9c2a22; } .tag.info { background: #e6edfb; color: #234a9a; }
.dead { color: var(--muted); text-decoration: line-through dotted; }
table.grid { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
table.grid th, table.grid td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top;
  overflow-wrap: anywhere; }
table.grid thead th { background: #eef1f6; font-weight: 600; white-space: nowrap; }
table.grid td.n, table.grid th.n { text-align: right; font-variant-numeric: tabular-nums; }
table.grid td.null { color: var(--muted); font-style: italic; }
table.grid td.url { max-width: 460px; }
table.grid tbody tr:hover { background: #f3f6fb; }
img.thumb { max-width: 96px; max-height: 54px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; padding: 10px 12px; background: var(--card); border: 1px solid var(--line); border-radius: 4px; max-width: 100%; overflow-x: auto; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, sans-serif; fill: var(--fg); }
svg text.value { fill: var(--muted); }
svg rect.track { fill: #eef1f6; }
svg rect.bar.ok { fill: var(--ok); } svg rect.bar.warn { fill: var(--warn); }
svg rect.bar.bad { fill: var(--bad); } svg rect.bar.info { fill: var(--info); }
svg a:hover rect.bar { opacity: .8; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; padding: 10px 12px; background: var(--card);
  border: 1px solid var(--line); border-radius: 4px; margin-bottom: 10px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
form.filters label.check { flex-direction: row; align-items: center; gap: 6px; }
input, select, textarea, button { font: inherit; color: inherit; }
input[type=text], input[type=search], select { padding: 4px 6px; border: 1px solid #c9d0db; border-radius: 3px; background: #fff; }
button { padding: 5px 14px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 3px; cursor: pointer; }
nav.pager { display: flex; gap: 16px; align-items: center; margin: 10px 0; }
nav.tabs { margin: 4px 0 12px; } nav.tabs .current { font-weight: 600; }
td.details .detail { margin-right: 10px; }
dl.fields { display: grid; grid-template-columns: 170px 1fr; gap: 4px 12px; margin: 0; padding: 10px 12px; background: var(--card);
  border: 1px solid var(--line); border-radius: 4px; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; overflow-wrap: anywhere; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.url-line { overflow-wrap: anywhere; }
pre.json { background: #1d2430; color: #e8ecf3; padding: 10px 12px; border-radius: 4px; overflow: auto; max-height: 480px; }
ol.values { margin: 0; padding-left: 1.4em; }
form.sql textarea { width: 100%; padding: 8px; border: 1px solid #c9d0db; border-radius: 4px; }
form.sql button { margin-top: 6px; }
.scroll { overflow-x: auto; }
ul.examples { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 10px; }
ul.examples li { background: var(--card); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; }
ul.examples pre { margin: 6px 0 0; color: var(--muted); white-space: pre-wrap; }
ol.redirects { padding-left: 22px; }
`;

/** Progressive enhancement only: Ctrl/Cmd+Enter runs the SQL box. Every page works without it. */
export const APP_JS = `
document.addEventListener('keydown', function (e) {
  var t = e.target;
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && t && t.form && t.tagName === 'TEXTAREA') t.form.submit();
});
`;
