import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseOption, epochAxis, percentAxis, type ChartSpec } from '../../report/chart-common';
import { legendColumns, renderChartSvg } from '../../report/svg-chart';

// A chart image cannot page the report page's scrolling legend: every series must be named in
// the SVG, in rows that cannot overlap, and the image must grow to hold them.

const names = Array.from({ length: 8 }, (_, i) => `dropout+batchnorm lr=0.5, d1=0.${i}, d2=0.5`);
const spec: ChartSpec = {
  id: 'curves',
  title: 'Test accuracy per epoch',
  caption: 'eight lines',
  height: 360,
  option: {
    ...baseOption(),
    xAxis: epochAxis(),
    yAxis: percentAxis('test accuracy'),
    series: names.map((name, i) => ({
      type: 'line',
      name,
      data: [
        [1, 0.8 + i / 100],
        [2, 0.82 + i / 100],
      ],
      showSymbol: false,
    })),
  },
};

test('a chart image names every series in its legend, two columns of one name per row, and grows by the rows', () => {
  const svg = renderChartSvg(spec);
  for (const name of names) assert.ok(svg.includes(`>${name}</text>`), `${name} is in the image`);
  assert.deepEqual(legendColumns(names, 760), [names.slice(0, 4), names.slice(4)]);
  // 360 px as on the page, plus three more legend rows of 22 px and an 8 px margin.
  assert.match(svg, /^<svg width="760" height="434"/);
});

test('names too long for half the width take one column', () => {
  const long = ['x'.repeat(60), 'y'.repeat(60), 'z'.repeat(60)];
  assert.deepEqual(legendColumns(long, 760), [long]);
});
