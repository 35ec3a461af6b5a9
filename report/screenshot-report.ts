/**
 * Renders a report in headless Chromium (Debian's `chromium`) and writes the top of the page as
 * a PNG. docs/report-screenshot.png is made this way from the quickstart's own report:
 *   npm start && npm run docs:screenshot
 * Arguments: [report.html] [out.png], defaulting to those two.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [reportFile = '.regsweep/reports/quickstart.html', outFile = 'docs/report-screenshot.png'] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
  await page.goto(pathToFileURL(path.resolve(reportFile)).href);
  // The charts draw after load, each into a canvas; a second more lets animations end.
  await page.waitForSelector('canvas');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: outFile, clip: { x: 0, y: 0, width: 1280, height: 1800 } });
  console.log(`wrote ${outFile} from ${reportFile}`);
} finally {
  await browser.close();
}
