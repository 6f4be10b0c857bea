// Parses Mermaid diagrams with Mermaid's own parser, the one GitHub and other renderers run.
// Input (stdin): a JSON array of diagram texts. Output (stdout): a JSON array, one entry per
// diagram: { ok: true, type } or { ok: false, error }. Mermaid is an ES module that needs a DOM
// (DOMPurify), so it runs here under jsdom rather than in jest's CommonJS workers.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (e) {
    results.push({ ok: false, error: String(e.message ?? e) });
  }
}
process.stdout.write(JSON.stringify(results));
