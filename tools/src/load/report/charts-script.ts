// The browser side of report.html: draws, for each section with data, throughput and statuses over
// time, latency percentiles over time and the latency distribution (percentile spectrum) with uPlot.
// With no point hovered (and so in a screenshot or a printout) each legend shows the run's summary —
// answers in all and per status, the run's percentiles — instead of uPlot's "--".
// Kept as plain ES2017 in a string: it runs in the page, not in Node.
export const CHARTS_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var palette = { '2': '#2a9d3f', '3': '#6c757d', '4': '#e08e0b', '5': '#d62828' };
  var extra = ['#0077b6', '#8338ec', '#ff006e', '#3a86ff', '#fb5607'];
  function colour(status, i) { return palette[String(status)[0]] ? shade(palette[String(status)[0]], i) : extra[i % extra.length]; }
  function shade(hex, i) { return i === 0 ? hex : hex + (['cc', '99', '77'][i % 3]); }
  function width(el) { return Math.max(320, Math.min(1100, el.clientWidth || 900)); }
  function nullable(a) { return a.map(function (v) { return v === null ? null : v; }); }
  function sum(a) { return a.reduce(function (s, v) { return s + (v || 0); }, 0); }
  function fmt(v) { return v == null ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 10) / 10); }
  // A legend value: the hovered point's, or the run's summary when nothing is hovered.
  function legend(summary, unit) {
    return function (u, v, si, idx) { return idx == null ? summary : v == null ? '' : fmt(v) + (unit || ''); };
  }
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var d = data[Number(el.getAttribute('data-chart'))];
    var kind = el.getAttribute('data-kind');
    var run = d.summary || {};
    var x = { label: 's', value: legend((d.t || []).length + ' s in all') };
    var opts, series;
    if (kind === 'lifecycle') {
      var l = d.lifecycle;
      var end = function (a) { return a.length ? a[a.length - 1] : 0; };
      series = [l.t, l.paid, l.expired, l.cancelled];
      opts = { title: 'Orders paid, expired and cancelled (cumulative)', width: width(el), height: 240,
        scales: { x: { time: false } }, axes: [{ label: 'second of the run' }, { label: 'orders' }],
        series: [{ label: 's', value: legend(l.t.length + ' s in all') },
          { label: 'paid', stroke: '#2a9d3f', width: 2, value: legend(fmt(end(l.paid)) + ' in all') },
          { label: 'expired', stroke: '#e08e0b', width: 2, value: legend(fmt(end(l.expired)) + ' in all') },
          { label: 'cancelled', stroke: '#6c757d', width: 2, value: legend(fmt(end(l.cancelled)) + ' in all') }] };
    } else if (kind === 'throughput') {
      var statuses = Object.keys(d.statuses).sort();
      var seen = {};
      series = [d.t, d.rps].concat(statuses.map(function (s) { return d.statuses[s]; }), [d.errors]);
      opts = { title: 'Answers per second, by status', width: width(el), height: 260,
        scales: { x: { time: false } }, axes: [{ label: 'second of the run' }, { label: 'answers/s' }],
        series: [x, { label: 'all', stroke: '#222', width: 2, value: legend(fmt(sum(d.rps)) + ' in all') }]
          .concat(statuses.map(function (s) {
            var c = s[0]; seen[c] = (seen[c] || 0) + 1;
            return { label: s, stroke: colour(s, seen[c] - 1), width: 1.5, value: legend(fmt(sum(d.statuses[s])) + ' in all') };
          }), [{ label: 'errors/timeouts', stroke: '#000', dash: [4, 4], value: legend(fmt(sum(d.errors)) + ' in all') }]) };
    } else if (kind === 'latency') {
      series = [d.t, nullable(d.p50), nullable(d.p90), nullable(d.p99), nullable(d.max)];
      opts = { title: 'Latency per second (ms)', width: width(el), height: 260,
        scales: { x: { time: false }, y: { distr: 3 } }, axes: [{ label: 'second of the run' }, { label: 'ms (log)' }],
        series: [x, { label: 'p50', stroke: '#2a9d3f', value: legend(fmt(run.p50) + ' ms run', ' ms') },
          { label: 'p90', stroke: '#e08e0b', value: legend(fmt(run.p90) + ' ms run', ' ms') },
          { label: 'p99', stroke: '#d62828', width: 2, value: legend(fmt(run.p99) + ' ms run', ' ms') },
          { label: 'max', stroke: '#6c757d', dash: [4, 4], value: legend(fmt(run.max) + ' ms run', ' ms') }] };
    } else {
      series = [d.dist.nines, d.dist.ms];
      var last = d.dist.ms.length - 1;
      opts = { title: 'Latency distribution (percentile spectrum)', width: width(el), height: 260,
        scales: { x: { time: false }, y: { distr: 3 } },
        axes: [{ label: 'percentile', splits: function (u) {
          var out = []; for (var n = 0; n <= Math.floor(u.scales.x.max); n++) out.push(n); return out; }, values: function (u, vals) { return vals.map(function (n) {
          return (100 * (1 - Math.pow(10, -n))).toFixed(Math.max(0, n - 2)) + '%'; }); } }, { label: 'ms (log)' }],
        series: [{ label: 'nines', value: function (u, n, si, idx) { return idx == null ? 'p50 … max' : n == null ? '' : (100 * (1 - Math.pow(10, -n))).toFixed(3) + '%'; } },
          { label: 'latency ms', stroke: '#0077b6', width: 2, points: { show: true },
            value: legend(fmt(run.p50) + ' … ' + fmt(last >= 0 ? d.dist.ms[last] : null) + ' ms', ' ms') }] };
    }
    new uPlot(opts, series, el);
  });
})();
`
