/**
 * The functions chart options name as `fn:<name>` strings (chart-common.ts), written once as ES5
 * source: the report page runs it in any browser, and the findings' SVG rendering runs the very
 * same source in Node (svg-chart.ts), so a chart reads the same in both. It evaluates to
 * `revive(option)`, which swaps every `fn:<name>` string in an option for its function.
 */
export const chartFunctionsSource = String.raw`(function () {
    function last(v) { return Array.isArray(v) ? v[v.length - 1] : v; }
    function pct(v, signed) {
      v = last(v);
      if (v === null || v === undefined || isNaN(v)) return '–';
      var s = (v * 100).toFixed(1);
      return signed ? (v > 0 ? '+' : '') + s + ' pp' : s + '%';
    }
    var fns = {
      percent: function (v) { return pct(v, false); },
      signedPoints: function (v) { return pct(v, true); },
      number3: function (v) { v = last(v); return typeof v === 'number' ? String(Number(v.toPrecision(3))) : String(v); },
      // value: [x, y, mean, n, comparison class (0 = best), comparison in words]
      heatLabel: function (p) { return pct(p.value[2], false) + (p.value[4] === 0 ? ' ★' : '') + (p.value[3] < 3 ? '\nn=' + p.value[3] : ''); },
      heatTooltip: function (p) { return p.seriesName + ': ' + pct(p.value[2], false) + ' (' + p.value[3] + ' seeds; ' + p.value[5] + ')'; },
      // Vertical bar from low to high with short caps, over a category axis.
      errorBar: function (params, api) {
        var x = api.value(0);
        var high = api.coord([x, api.value(2)]);
        var low = api.coord([x, api.value(1)]);
        var half = api.size([1, 0])[0] * 0.12;
        var style = { stroke: api.visual('color'), lineWidth: 1.5, fill: null };
        return {
          type: 'group',
          children: [
            { type: 'line', shape: { x1: high[0] - half, y1: high[1], x2: high[0] + half, y2: high[1] }, style: style },
            { type: 'line', shape: { x1: high[0], y1: high[1], x2: low[0], y2: low[1] }, style: style },
            { type: 'line', shape: { x1: low[0] - half, y1: low[1], x2: low[0] + half, y2: low[1] }, style: style }
          ]
        };
      }
    };
    function revive(value) {
      if (typeof value === 'string' && value.indexOf('fn:') === 0) {
        var f = fns[value.slice(3)];
        if (!f) throw new Error('report: unknown function ' + value);
        return f;
      }
      if (Array.isArray(value)) return value.map(revive);
      if (value && typeof value === 'object') {
        var out = {};
        Object.keys(value).forEach(function (k) { out[k] = revive(value[k]); });
        return out;
      }
      return value;
    }
    return revive;
  })()`;
