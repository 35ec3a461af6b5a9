import { chartFunctionsSource } from './chart-functions';

/**
 * The script the report page runs after echarts.min.js: it reads the chart options embedded
 * as JSON, swaps every `fn:<name>` string for the function of that name, and draws each chart.
 * Plain ES5 so the page opens in any browser. When every chart has rendered it sets
 * `data-charts-rendered` on <body> to the number of charts, which tests wait for.
 */
export const reportPageScript = String.raw`
(function () {
  'use strict';
  var revive = ${chartFunctionsSource};
  var specs = JSON.parse(document.getElementById('report-charts').textContent);
  var charts = [];
  var rendered = 0;
  if (specs.length === 0) document.body.setAttribute('data-charts-rendered', '0');
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.on('finished', function once() {
      chart.off('finished', once);
      rendered += 1;
      if (rendered === specs.length) document.body.setAttribute('data-charts-rendered', String(rendered));
    });
    chart.setOption(revive(spec.option));
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
`;
