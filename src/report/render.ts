import { CHART_BOOTSTRAP, ChartSet } from './charts.ts';
import type { ReportData } from './data.ts';
import { esc, inlineScript, join, jsonForScript } from './html.ts';
import { comparisonSection, faultsSection, replicasSection, stepsSection, summarySection, timelineSection } from './sections-run.ts';
import { costSection, databaseSection, projectionsSection, utilisationSection } from './sections-model.ts';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem; color: #1d2433; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { border-bottom: 1px solid #d6dbe4; padding-bottom: .2rem; margin-top: 2rem; }
nav a { margin-right: .8rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: 13px; }
th, td { border: 1px solid #d6dbe4; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f4f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.kv thead { display: none; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1rem; }
figure.chart { margin: 0; } figcaption { font-weight: 600; }
.canvas-box { position: relative; height: 260px; }
details summary { cursor: pointer; color: #3b5b9a; }
code { font-size: 12px; white-space: pre-wrap; word-break: break-word; }
.bad { color: #a02020; font-weight: 600; } .good { color: #1f6b35; } .notes, .note { color: #5b6475; }
`;

/**
 * The whole report as one HTML document: styles, the data and Chart.js inline, so it opens from file:// with no
 * network. `chartJs` is the source of Chart.js's UMD build.
 */
export function renderReport(d: ReportData, chartJs: string, generatedAt: string): string {
  const charts = new ChartSet();
  const sections = [
    summarySection(d),
    stepsSection(d),
    timelineSection(d, charts),
    replicasSection(d, charts),
    databaseSection(d, charts),
    utilisationSection(d, charts),
    projectionsSection(d, charts),
    costSection(d, charts),
    comparisonSection(d, charts),
    faultsSection(d),
  ];
  const body = join(sections).markup;
  const nav = [...body.matchAll(/<section id="([a-z]+)"><h2>/g)].map((m) => `<a href="#${m[1]}">${m[1]}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>loadlab report: ${esc(d.run.scenario)} (${esc(d.run.id)})</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>loadlab report: ${esc(d.run.scenario)}</h1><p>Run ${esc(d.run.id)}, generated ${esc(generatedAt)}.</p><nav>${nav}</nav></header>
${body}
<script type="application/json" id="report-charts">${jsonForScript(charts.specs)}</script>
<script>${inlineScript(chartJs)}</script>
<script>${CHART_BOOTSTRAP}</script>
</body>
</html>
`;
}
