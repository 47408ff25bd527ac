import { type Cell, Html, details, esc, table } from './html.ts';

/** A chart as data: the page's own script turns it into a Chart.js configuration; the table shows the same numbers. */
export interface ChartSpec {
  id: string;
  title: string;
  type: 'line' | 'bar';
  xTitle: string;
  yTitle: string;
  labels: (string | number)[];
  series: { label: string; data: (number | null)[] }[];
  /** Bars of one label stacked (components of a bill, steps on a replica). */
  stacked?: boolean;
}

const round = (v: number | null) => (v === null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000);

/** Collects the charts of one report; each chart is placed as a canvas with its numbers in a table beneath. */
export class ChartSet {
  readonly specs: ChartSpec[] = [];

  chart(spec: Omit<ChartSpec, 'id'>): Html {
    const id = `chart-${this.specs.length + 1}`;
    this.specs.push({ ...spec, id, series: spec.series.map((s) => ({ label: s.label, data: s.data.map(round) })) });
    const rows: Cell[][] = spec.labels.map((label, i) => [label, ...spec.series.map((s) => s.data[i] ?? null)]);
    const numbers = table([spec.xTitle, ...spec.series.map((s) => s.label)], rows);
    return new Html(
      `<figure class="chart"><figcaption>${esc(spec.title)}</figcaption><div class="canvas-box"><canvas id="${esc(id)}" role="img" aria-label="${esc(spec.title)}"></canvas></div>` +
        `${details(`numbers: ${spec.title}`, numbers).markup}</figure>`,
    );
  }
}

/**
 * Runs in the page: builds a Chart.js chart for every spec and keeps them on window.__reportCharts (the
 * Chromium test counts them). Static code; the specs arrive as JSON in a separate element.
 */
export const CHART_BOOTSTRAP = `
(function () {
  var specs = JSON.parse(document.getElementById('report-charts').textContent);
  window.__reportCharts = [];
  specs.forEach(function (s) {
    var canvas = document.getElementById(s.id);
    var config = {
      type: s.type,
      data: {
        labels: s.labels,
        datasets: s.series.map(function (d) {
          return { label: d.label, data: d.data, spanGaps: true, pointRadius: s.type === 'line' && s.labels.length > 40 ? 0 : 2, borderWidth: 1.5 };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { display: s.series.length > 1 } },
        scales: {
          x: { stacked: !!s.stacked, title: { display: true, text: s.xTitle } },
          y: { stacked: !!s.stacked, beginAtZero: true, title: { display: true, text: s.yTitle } }
        }
      }
    };
    window.__reportCharts.push(new Chart(canvas, config));
  });
})();
`;
