// P6 of the benchmarks: opens a generated pipeline in Debian's Chromium and measures, with the
// page's own Performance API, how long it takes to open and how smooth a node drag and a pan are.
// bench/editor.py writes the pipeline, signs in (a session cookie) and runs this script:
//
//   node bench/editor/p6.mjs < config.json > result.json      (progress on stderr)
//
// config: {baseUrl, cookie: {name, value}, pipelineId, nodes, edges, dragNode, reps, warmup,
//          chromium, viewport: {width, height}, profileDir}
//
// Definitions (docs/benchmarks.md says the same):
// - open: performance.now() in the first requestAnimationFrame callback after the frame in which
//   every step of the pipeline is in the DOM with its size measured (React Flow shows a node,
//   visibility: visible, only once measured) and every edge is drawn (React Flow draws an edge
//   only when the handles at both ends are measured). performance.now() counts from the
//   navigation's start, so this includes the HTML, the scripts, the API calls, React's render,
//   React Flow's measuring and fitting the view. The callback of the next frame runs after that
//   frame was painted.
// - frame time: the difference between the timestamps of consecutive requestAnimationFrame
//   callbacks (frame start times; 16.7 ms at 60 Hz, 33.3 ms when a frame is missed) from the
//   mouse going down to two frames after it goes up. Long animation frames (PerformanceObserver
//   'long-animation-frame', over 50 ms) in that window are reported with the scripts they ran.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const cfg = JSON.parse(readFileSync(0, 'utf8'));
const log = (msg) => process.stderr.write(`  P6 ${msg}\n`);
const DRAG_MOVES = cfg.dragMoves ?? 90; // 1.5 s at 60 Hz
const MOVE_EVERY_MS = 1000 / 60;

// Installed before any of the page's scripts: records long animation frames from navigation start
// and watches, one check per frame, for the moment every node and edge is on screen.
function observe({ nodes, edges }) {
  const p6 = { loaf: [], longtasks: [], marks: {}, ready: null };
  window.__p6 = p6;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        p6.loaf.push({
          start: e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          renderStart: e.renderStart,
          styleAndLayoutStart: e.styleAndLayoutStart,
          scripts: (e.scripts ?? []).map((s) => ({
            invoker: s.invoker,
            invokerType: s.invokerType,
            fn: s.sourceFunctionName,
            url: (s.sourceURL ?? '').replace(/^.*\//, ''),
            char: s.sourceCharPosition,
            duration: s.duration,
            forcedLayout: s.forcedStyleAndLayoutDuration,
          })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    /* an older Chromium: no long-animation-frame entries */
  }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) p6.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no longtask entries */
  }
  const first = (key) => {
    if (p6.marks[key] === undefined) p6.marks[key] = performance.now();
  };
  const check = () => {
    const els = document.querySelectorAll('.react-flow__node');
    if (els.length) first('firstNode');
    if (els.length >= nodes) {
      first('allNodesInDom');
      let visible = 0;
      for (const el of els) if (el.style.visibility !== 'hidden') visible++;
      if (visible >= nodes) {
        first('allNodesMeasured');
        if (document.querySelectorAll('.react-flow__edge').length >= edges) {
          first('allEdges');
          // This frame paints them; the next frame's callback runs after that paint.
          requestAnimationFrame(() => {
            p6.ready = performance.now();
          });
          return;
        }
      }
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

// Frame recorder: rAF timestamps while `running`.
function startFrames() {
  const rec = { frames: [], running: true };
  window.__p6.rec = rec;
  const loop = (t) => {
    rec.frames.push(t);
    if (rec.running) requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  return performance.now();
}

function stopFrames() {
  // Two more frames, so the frame that handled the last move (and mouseup) is complete.
  return new Promise((resolve) => {
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const rec = window.__p6.rec;
        rec.running = false;
        resolve({ frames: rec.frames, now: performance.now() });
      }),
    );
  });
}

const percentile = (values, p) => {
  const d = [...values].sort((a, b) => a - b);
  if (!d.length) return null;
  const k = ((d.length - 1) * p) / 100;
  const lo = Math.floor(k);
  const hi = Math.ceil(k);
  return d[lo] + (d[hi] - d[lo]) * (k - lo);
};
const round = (v, n = 2) => (v === null || v === undefined ? v : Number(v.toFixed(n)));

async function viewportTransform(page) {
  return page.evaluate(() => {
    const style = document.querySelector('.react-flow__viewport')?.style.transform ?? '';
    const m = /translate\((-?[\d.]+)px, (-?[\d.]+)px\) scale\(([\d.]+)\)/.exec(style);
    return m ? { x: Number(m[1]), y: Number(m[2]), zoom: Number(m[3]) } : null;
  });
}

async function nodePosition(page, id) {
  return page.evaluate((nodeId) => {
    const el = document.querySelector(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
    const m = /translate\((-?[\d.]+)px, ?(-?[\d.]+)px\)/.exec(el?.style.transform ?? '');
    return m ? { x: Number(m[1]), y: Number(m[2]) } : null;
  }, id);
}

/**
 * Presses the left button at `from`, moves by `delta` in `moves` steps sent at 60 Hz, and releases.
 * The moves go straight to Chromium's input pipeline (CDP Input.dispatchMouseEvent) without waiting
 * for the page to handle each one, as a hand on a mouse does not wait: when a frame is slow, moves
 * queue up and the page handles them when it gets to them. (Playwright's page.mouse.move waits for
 * each move to be handled, which leaves idle frames between moves on a slow page and hides it.)
 */
async function gesture(page, from, delta, moves) {
  const cdp = await page.context().newCDPSession(page);
  const mouse = (type, x, y, extra = {}) =>
    cdp.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', ...extra });
  await mouse('mouseMoved', from.x, from.y, { button: 'none' });
  const startedAt = await page.evaluate(startFrames);
  await mouse('mousePressed', from.x, from.y, { buttons: 1, clickCount: 1 });
  const t0 = performance.now();
  const sent = [];
  for (let i = 1; i <= moves; i++) {
    const wait = t0 + i * MOVE_EVERY_MS - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sent.push(mouse('mouseMoved', from.x + (delta.x * i) / moves, from.y + (delta.y * i) / moves, { buttons: 1 }));
  }
  await Promise.all(sent);
  const end = { x: from.x + delta.x, y: from.y + delta.y };
  await mouse('mouseReleased', end.x, end.y, { buttons: 0, clickCount: 1 });
  const wallMs = performance.now() - t0;
  const { frames, now } = await page.evaluate(stopFrames);
  await cdp.detach();
  const loaf = await page.evaluate(
    ([a, b]) => window.__p6.loaf.filter((e) => e.start + e.duration >= a && e.start <= b),
    [startedAt, now],
  );
  const deltas = frames.slice(1).map((t, i) => t - frames[i]);
  return { wallMs: round(wallMs, 1), frames: deltas.map((d) => round(d, 2)), loaf };
}

function frameStats(deltas) {
  return {
    n: deltas.length,
    p50: round(percentile(deltas, 50)),
    p95: round(percentile(deltas, 95)),
    max: round(Math.max(...deltas)),
    over20: deltas.filter((d) => d > 20).length,
  };
}

async function paneSize(page) {
  return page.evaluate(() => {
    const r = document.querySelector('.react-flow__pane').getBoundingClientRect();
    return { width: Math.round(r.width), height: Math.round(r.height) };
  });
}

/** A point of the bare canvas (no node, edge or control under it), searched from the lower right. */
async function barePanePoint(page) {
  return page.evaluate(() => {
    const box = document.querySelector('.react-flow__pane').getBoundingClientRect();
    for (let dy = 60; dy < box.height - 300; dy += 8) {
      for (let dx = 60; dx < box.width - 400; dx += 8) {
        const p = { x: box.left + box.width - dx, y: box.top + box.height - dy };
        if (document.elementFromPoint(p.x, p.y)?.classList.contains('react-flow__pane')) return p;
      }
    }
    return null;
  });
}

/** Where to grab the node: a point on its header that hits the node itself (not a handle or an edge). */
async function grabPoint(page, id) {
  return page.evaluate((nodeId) => {
    const el = document.querySelector(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    for (const fy of [0.12, 0.2, 0.3, 0.08]) {
      const p = { x: r.left + r.width / 2, y: r.top + r.height * fy };
      const hit = document.elementFromPoint(p.x, p.y);
      if (hit && el.contains(hit) && !hit.classList.contains('react-flow__handle')) return { ...p, width: r.width, height: r.height };
    }
    return null;
  }, id);
}

async function openOnce(context, url, label) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.addInitScript(observe, { nodes: cfg.nodes, edges: cfg.edges });
  await page.goto(url, { waitUntil: 'commit' });
  try {
    await page.waitForFunction(() => window.__p6?.ready != null, null, { timeout: 60_000, polling: 100 });
  } catch (e) {
    const state = await page
      .evaluate(() => ({
        nodes: document.querySelectorAll('.react-flow__node').length,
        edges: document.querySelectorAll('.react-flow__edge').length,
        text: document.body.innerText.slice(0, 300),
      }))
      .catch(() => ({}));
    await page.close();
    throw new Error(`${label}: the pipeline did not open in 60 s: ${JSON.stringify(state)} ${errors.join('; ')}`);
  }
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const api = resources.filter((r) => r.name.includes('/api/'));
    const scripts = resources.filter((r) => /\.(js|css)(\?|$)/.test(r.name));
    const end = (list) => (list.length ? Math.max(...list.map((r) => r.responseEnd)) : null);
    return {
      openMs: window.__p6.ready,
      htmlResponseEnd: nav?.responseEnd,
      domContentLoaded: nav?.domContentLoadedEventEnd,
      scriptsLoaded: end(scripts),
      apiDone: end(api),
      apiCalls: api.map((r) => ({ url: r.name.replace(/^https?:\/\/[^/]+/, ''), start: r.startTime, end: r.responseEnd })),
      ...window.__p6.marks,
      longestFrameWhileOpening: Math.max(0, ...window.__p6.loaf.filter((e) => e.start < window.__p6.ready).map((e) => e.duration)),
      longAnimationFramesWhileOpening: window.__p6.loaf.filter((e) => e.start < window.__p6.ready).length,
      domNodes: document.getElementsByTagName('*').length,
    };
  });
  for (const k of Object.keys(timing)) if (typeof timing[k] === 'number') timing[k] = round(timing[k], 1);
  return { page, timing, errors };
}

async function settle(page) {
  // Let what the page does right after opening (the dirty check, late queries) finish: a user does not
  // grab a node within the first frame either. Then two frames.
  await page.waitForTimeout(700);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Whether what was dragged moved with the mouse. React Flow (d3) starts a drag on the first move past
 * its threshold and counts from there, so the moves a busy page received merged into that first one
 * are not part of it: up to a fifth of the way may be missing, nothing may be added.
 */
function followed(moved, delta) {
  const along = (m, d) => (d === 0 ? Math.abs(m) <= 4 : m / d >= 0.8 && Math.abs(m) <= Math.abs(d) + 4);
  return along(moved.x, delta.x) && along(moved.y, delta.y);
}

async function dragAndPan(page) {
  const before = await nodePosition(page, cfg.dragNode);
  const view = await viewportTransform(page);
  const grab = await grabPoint(page, cfg.dragNode);
  if (!before || !view || !grab) throw new Error(`cannot find node ${cfg.dragNode} to drag`);
  // Across a third of the canvas, staying on it (off-screen steps leave the DOM).
  const pane = await paneSize(page);
  const dragDelta = { x: Math.round(pane.width / 3), y: Math.round(pane.height / 5) };
  const drag = await gesture(page, grab, dragDelta, DRAG_MOVES);
  const after = await nodePosition(page, cfg.dragNode);
  if (!after) throw new Error(`node ${cfg.dragNode} is not on the canvas after the drag`);
  const moved = { x: round((after.x - before.x) * view.zoom, 1), y: round((after.y - before.y) * view.zoom, 1) };
  if (!followed(moved, dragDelta)) {
    throw new Error(`the drag did not move node ${cfg.dragNode} with the mouse: ${JSON.stringify(moved)} on screen`);
  }
  await settle(page);

  const start = await barePanePoint(page);
  if (!start) throw new Error('no bare spot on the canvas to pan from');
  const panDelta = { x: -Math.round(pane.width / 4), y: -Math.round(pane.height / 4) };
  const pan = await gesture(page, start, panDelta, DRAG_MOVES);
  const view2 = await viewportTransform(page);
  const panned = { x: round(view2.x - view.x, 1), y: round(view2.y - view.y, 1) };
  if (!followed(panned, panDelta)) {
    throw new Error(`the pan did not move the view with the mouse: ${JSON.stringify(panned)}`);
  }
  return {
    zoom: round(view.zoom, 4),
    nodeOnScreen: { width: round(grab.width, 1), height: round(grab.height, 1) },
    pane,
    drag: { ...drag, delta: dragDelta, moved },
    pan: { ...pan, delta: panDelta, panned },
  };
}

/** Self time by function over a CPU profile (Profiler domain), the heaviest first. */
function topFunctions(profile, limit = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    totalMs: round(total, 1),
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([fn, ms]) => ({ fn, selfMs: round(ms, 1), share: round(ms / total, 3) })),
  };
}

async function profileRun(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await page.addInitScript(observe, { nodes: cfg.nodes, edges: cfg.edges });
  await cdp.send('Profiler.start');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__p6?.ready != null, null, { timeout: 60_000, polling: 100 });
  const openProfile = (await cdp.send('Profiler.stop')).profile;
  await settle(page);
  const grab = await grabPoint(page, cfg.dragNode);
  const pane = await paneSize(page);
  await cdp.send('Profiler.start');
  await gesture(page, grab, { x: Math.round(pane.width / 3), y: Math.round(pane.height / 5) }, DRAG_MOVES);
  const dragProfile = (await cdp.send('Profiler.stop')).profile;
  await settle(page);
  const start = await barePanePoint(page);
  await cdp.send('Profiler.start');
  if (start) await gesture(page, start, { x: -Math.round(pane.width / 4), y: -Math.round(pane.height / 4) }, DRAG_MOVES);
  const panProfile = (await cdp.send('Profiler.stop')).profile;
  await page.close();
  const result = {};
  for (const [name, profile] of Object.entries({ open: openProfile, drag: dragProfile, pan: panProfile })) {
    let file = null;
    if (cfg.profileDir) {
      mkdirSync(cfg.profileDir, { recursive: true });
      file = join(cfg.profileDir, `p6-${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
    }
    result[name] = { file, ...topFunctions(profile) };
  }
  return result;
}

async function main() {
  const browser = await chromium.launch({
    executablePath: cfg.chromium ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const result = { chromium: browser.version(), reps: [], warmup: [] };
  try {
    const context = await browser.newContext({ viewport: cfg.viewport ?? { width: 1920, height: 1080 } });
    const origin = new URL(cfg.baseUrl);
    await context.addCookies([{ name: cfg.cookie.name, value: cfg.cookie.value, domain: origin.hostname, path: '/' }]);
    const url = `${cfg.baseUrl}/pipelines/${cfg.pipelineId}`;
    const total = cfg.warmup + cfg.reps;
    for (let i = 0; i < total; i++) {
      const warm = i < cfg.warmup;
      const label = `rep ${i + 1}/${total}${warm ? ' (warm-up)' : ''}`;
      const { page, timing, errors } = await openOnce(context, url, label);
      await settle(page);
      const gestures = await dragAndPan(page);
      await page.close();
      const rep = { timing, ...gestures, errors };
      (warm ? result.warmup : result.reps).push(rep);
      log(
        `${label}: open ${timing.openMs} ms (API done ${timing.apiDone}, nodes in DOM ${timing.allNodesInDom}), ` +
          `drag p95 ${frameStats(gestures.drag.frames).p95} ms, pan p95 ${frameStats(gestures.pan.frames).p95} ms`,
      );
    }
    if (cfg.profile !== false) {
      log('CPU profile of one more opening, drag and pan');
      result.profile = await profileRun(context, url);
    }
    await context.close();
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
