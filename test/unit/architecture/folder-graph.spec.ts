/**
 * The folder-level import graph of src/ (docs/architecture.md): every import between top-level folders points
 * inward along the layers, so the graph has no cycle. A regex over the sources (static imports, re-exports
 * and dynamic `import()`), resolved against the importing file; fast and free of tooling.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../../src/', import.meta.url));

/** Inner to outer; a folder may import its own layer's folders and inner layers only. */
const LAYER: Record<string, number> = {
  domain: 0,
  ports: 1,
  commands: 2,
  projections: 2,
  workers: 2,
  'bundle-export': 2,
  demo: 2,
  adapters: 3,
  node: 4,
  edge: 4,
  cli: 4,
  'config.ts': 4,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** The top-level entry of src/ a path lies in (`config.ts` for the root file), or undefined outside src/. */
function topOf(path: string): string | undefined {
  const rel = relative(src, path);
  if (rel.startsWith('..')) return undefined;
  return rel.split(sep)[0];
}

function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(src)) {
    const from = topOf(file)!;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const to = topOf(resolve(dirname(file), match[2]!));
      if (to === undefined || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      edges.set(to, `${relative(src, file)} imports ${match[2]}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('architecture: the folder-level import graph of src/', function () {
  const graph = folderGraph();

  it('knows the layer of every top-level entry of src/', function () {
    const entries = readdirSync(src).filter((e) => !e.startsWith('.'));
    expect(entries.filter((e) => LAYER[e] === undefined)).to.deep.equal([]);
  });

  it('points every import between folders inward along the layers', function () {
    const upward: string[] = [];
    for (const [from, edges] of graph)
      for (const [to, example] of edges) if (LAYER[to]! > LAYER[from]!) upward.push(`${from} → ${to} (${example})`);
    expect(upward).to.deep.equal([]);
  });

  it('has no cycle between folders', function () {
    expect(findCycle(graph)).to.equal(undefined);
  });

  it('finds a planted cycle (the walk itself works)', function () {
    const planted = new Map(graph);
    planted.set('ports', new Map([...(graph.get('ports') ?? []), ['commands', 'planted']]));
    expect(findCycle(planted)).to.be.an('array').that.includes('ports').and.includes('commands');
  });
});
