// Makes the web app's PNG icons (assets/icon-192.png, assets/icon-512.png) from assets/icon.svg
// in Debian's chromium, so they are the logo drawn by a browser, not a second drawing. Run once
// after changing the logo: `node tests/e2e/make-icons.mjs` (the PNGs are vendored).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const assets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../crates/afterrun-server/assets');
const svg = readFileSync(path.join(assets, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  // A maskable icon: the logo on its own colour, inside the 80 % safe zone.
  await page.setContent(`<html><body style="margin:0;background:#0b6b61;display:grid;place-items:center;width:${size}px;height:${size}px">
    <div style="width:${Math.round(size * 0.8)}px;height:${Math.round(size * 0.8)}px">${svg.replace('<svg ', '<svg width="100%" height="100%" ')}</div></body></html>`);
  await page.screenshot({ path: path.join(assets, `icon-${size}.png`), omitBackground: false });
  await page.close();
}
await browser.close();
