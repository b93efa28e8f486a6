// Browser test of the dashboard: serves a fixture run with 'ganforge dashboard', opens the page in headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core), checks that the loss chart has one point per
// metrics line, that a line appended to metrics.jsonl appears without a reload, that the generator playground shows a
// new image when its slider moves, and saves a screenshot.
// Run after building: node tests/browser/dashboard.test.mjs (CI: .ci/run).
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const cli = process.env.GANFORGE_CLI ?? path.join(root, "src/GanForge.Cli/bin/Debug/net10.0/GanForge.Cli.dll");
const artefacts = process.env.GANFORGE_ARTEFACTS ?? path.join(root, "tests/browser/artefacts");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

const runs = fs.mkdtempSync(path.join(os.tmpdir(), "ganforge-dashboard-"));
const run = path.join(runs, "00000-fixture-dcgan28-small");
fs.mkdirSync(path.join(run, "samples"), { recursive: true });
fs.writeFileSync(path.join(run, "config.json"), "{}\n");
fs.copyFileSync(path.join(root, "docs/images/default-run.png"), path.join(run, "samples/step-000200.png"));
// A real (tiny, conditional) checkpoint, so the playground has a generator to run.
fs.mkdirSync(path.join(run, "checkpoints"));
fs.copyFileSync(path.join(root, "tests/GanForge.Tests/Fixtures/checkpoints-v1/projection-dcgan28-small.ckpt"), path.join(run, "checkpoints/step-000005.ckpt"));
const line = step => JSON.stringify({
  step, epoch: 0, d_loss: 1.2 + 0.3 * Math.exp(-step / 80), g_loss: 0.9 + 0.4 * Math.sin(step / 30),
  d_real: 0.55, d_fake: 0.45, images_per_second: 400, elapsed_seconds: step / 6,
}) + "\n";
const metrics = path.join(run, "metrics.jsonl");
for (let step = 10; step <= 200; step += 10) fs.appendFileSync(metrics, line(step));

const server = spawn("dotnet", [cli, "dashboard", "--runs", runs, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let output = "";
  server.stdout.on("data", chunk => {
    output += chunk;
    const match = output.match(/Dashboard: (http:\/\/\S+)/);
    if (match) resolve(match[1]);
  });
  server.on("exit", code => reject(new Error(`the dashboard exited with ${code}: ${output}`)));
  setTimeout(() => reject(new Error(`the dashboard did not start: ${output}`)), 60_000);
});

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  const dLoss = '#chart-losses polyline[data-series="D"]';
  await page.waitForSelector(dLoss);
  assert.equal(await page.$eval(dLoss, e => e.dataset.points), "20", "one point per metrics line");
  assert.equal(await page.locator("#chart-outputs polyline").count(), 2, "D(x) and D(G(z))");
  await page.waitForFunction(() => document.querySelector("#grid")?.naturalWidth > 0);

  // The playground: an image for seed 1, then another once the slider moves to the second seed.
  await page.waitForFunction(() => document.querySelector("#play")?.naturalWidth === 28, null, { timeout: 30_000 });
  const first = await page.$eval("#play", e => e.src);
  await page.$eval("#morph", e => { e.value = "100"; e.dispatchEvent(new Event("input")); });
  await page.waitForFunction(src => { const img = document.querySelector("#play"); return img.src !== src && img.complete && img.naturalWidth === 28; }, first);
  const second = await page.$eval("#play", e => e.src);
  assert.match(second, /t=1/);
  const differ = await page.evaluate(async ([a, b]) => {
    const [x, y] = await Promise.all([a, b].map(u => fetch(u).then(r => r.arrayBuffer())));
    return x.byteLength !== y.byteLength || new Uint8Array(x).some((v, i) => v !== new Uint8Array(y)[i]);
  }, [first, second]);
  assert.ok(differ, "moving the slider shows a different image");
  assert.equal(await page.locator("#playClass option").count(), 10, "one entry per class of the conditional model");

  fs.appendFileSync(metrics, line(210));
  await page.waitForFunction(sel => document.querySelector(sel)?.dataset.points === "21", dLoss, { timeout: 15_000 });

  fs.mkdirSync(artefacts, { recursive: true });
  await page.screenshot({ path: path.join(artefacts, "dashboard.png"), fullPage: true });
  console.log(`dashboard browser test passed (screenshot: ${path.join(artefacts, "dashboard.png")})`);
} finally {
  await browser.close();
  server.kill("SIGTERM");
  fs.rmSync(runs, { recursive: true, force: true });
}
