// Quality: the 500-node pipeline of the benchmarks opens and pans. The graph (the bench's
// no-op component in a 500-step chain, in rows of 25) is made through the API.
import { Api, expect, screenshot, signIn, test, uniqueName } from './fixtures';

// The component bench/scenarios.py uses: its optional File input only orders a chain.
const BENCH_NOOP = `
name: Bench no-op
description: |
  Benchmark step (bench/): writes an empty output file and exits. The
  optional input only orders a chain; it is not on the command line, so
  every step runs exactly \`python3 -c "import sys; open(sys.argv[1], 'w').close()" /outputs/out\`.
metadata:
  annotations: {category: test}
inputs:
- {name: after, type: File, optional: true, description: upstream output (orders the chain)}
outputs:
- {name: out, type: File, description: an empty file}
implementation:
  container:
    image: pipeline-studio/base:1
    command: [python3, -c, "import sys; open(sys.argv[1], 'w').close()"]
    args: [{outputPath: out}]
resources: {cpu: 1, memory: 128Mi}
`;

const STEPS = 500;
const COLUMNS = 25;

test('a 500-node pipeline opens, renders and pans', async ({ page, request }) => {
  const api = await Api.connect(request);
  const imported = await api.post<{ version: { id: number } }>('/api/components/import/', { yaml: BENCH_NOOP });
  const cv = imported.version.id;
  const ids = Array.from({ length: STEPS }, (_, i) => `s${String(i + 1).padStart(3, '0')}`);
  const nodes = ids.map((id, i) => {
    const row = Math.floor(i / COLUMNS);
    const col = i % COLUMNS;
    return {
      id,
      component_version: cv,
      position: { x: col * 320, y: row * 160 },
      arguments: i ? { after: { from: { node: ids[i - 1], output: 'out' } } } : {},
    };
  });
  const pipeline = await api.post<{ id: number }>('/api/pipelines/', {
    name: uniqueName('E2E 500 steps'),
    description: 'A 500-step chain, as in the benchmarks.',
    graph: { schema_version: 1, nodes },
    parameters: [],
  });

  await signIn(page);
  const started = Date.now();
  await page.goto(`/pipelines/${pipeline.id}`);
  // Fitted to the view, every step is on screen (React Flow renders only the visible ones past 150).
  const rendered = page.locator('.react-flow__node');
  await expect(rendered).toHaveCount(STEPS, { timeout: 30_000 });
  await expect(page.locator('.react-flow__edge')).toHaveCount(STEPS - 1);
  const openMs = Date.now() - started;
  test.info().annotations.push({ type: 'open 500 nodes (ms)', description: String(openMs) });
  console.log(`500-node pipeline: rendered in ${openMs} ms`);
  await expect(page.getByTestId('problem-count')).toBeHidden();
  await screenshot(page, '11-editor-500-nodes');

  // Zoom in on the first steps: fewer are rendered, and the labels are readable.
  const viewport = page.locator('.react-flow__viewport');
  const zoomIn = page.getByRole('button', { name: /zoom in/i });
  const scale = async (): Promise<number> =>
    Number(/scale\(([\d.]+)\)/.exec((await viewport.getAttribute('style')) ?? '')?.[1] ?? NaN);
  const before = await scale();
  for (let i = 0; i < 14; i++) await zoomIn.click();
  await expect.poll(scale).toBeGreaterThan(before * 8);
  await expect.poll(() => rendered.count()).toBeLessThan(STEPS);

  // Pan by dragging the empty canvas: the view moves with the mouse, other steps come into view.
  const translate = async (): Promise<[number, number]> => {
    const m = /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec((await viewport.getAttribute('style')) ?? '');
    return [Number(m?.[1]), Number(m?.[2])];
  };
  const box = (await page.locator('.react-flow__pane').boundingBox())!;
  // Grab the canvas itself, not a step: the first point from the lower right that shows bare pane.
  const start = await page.evaluate(
    ({ x, y, width, height }) => {
      for (let dy = 60; dy < height - 300; dy += 10) {
        for (let dx = 40; dx < width - 360; dx += 10) {
          const p = { x: x + width - dx, y: y + height - dy };
          if (document.elementFromPoint(p.x, p.y)?.classList.contains('react-flow__pane')) return p;
        }
      }
      return null;
    },
    box,
  );
  expect(start, 'a bare spot on the canvas').not.toBeNull();
  const [x0, y0] = await translate();
  const t0 = Date.now();
  await page.mouse.move(start!.x, start!.y);
  await page.mouse.down();
  await page.mouse.move(start!.x - 300, start!.y - 200, { steps: 20 });
  await page.mouse.up();
  await expect.poll(async () => (await translate()).map((v, i) => Math.round(v - [x0, y0][i]!))).toEqual([-300, -200]);
  const panMs = Date.now() - t0;
  test.info().annotations.push({ type: 'pan 20 moves (ms)', description: String(panMs) });
  console.log(`500-node pipeline: 20-step pan took ${panMs} ms`);
  await expect.poll(() => rendered.count()).toBeGreaterThan(0);
  await screenshot(page, '12-editor-500-nodes-zoomed');
});
