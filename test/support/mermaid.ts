import { JSDOM } from 'jsdom';

/**
 * Mermaid's own parser, as GitHub runs it, reading the diagrams the product writes. Mermaid
 * needs a DOM even to parse (it sanitises labels with DOMPurify), so jsdom stands in for the
 * browser. What comes back is Mermaid's model of the diagram: its nodes with their text,
 * classes and subgraphs, and its edges: a structure test reads what a reader would see.
 */

export interface ParsedNode {
  readonly id: string;
  /** The label as it is shown, entities decoded. */
  readonly text: string;
  readonly classes: readonly string[];
}

export interface ParsedDiagram {
  readonly type: string;
  readonly nodes: readonly ParsedNode[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly text: string }[];
  readonly subgraphs: readonly { readonly id: string; readonly title: string; readonly nodes: readonly string[] }[];
}

interface FlowVertex { id: string; text?: string; classes?: string[] }
interface FlowEdge { start: string; end: string; text?: string }
interface FlowSubGraph { id: string; title: string; nodes: string[] }
interface FlowDb { getVertices(): Map<string, FlowVertex> | Record<string, FlowVertex>; getEdges(): FlowEdge[]; getSubGraphs(): FlowSubGraph[] }
interface MermaidApi {
  initialize(config: object): void;
  parse(text: string): Promise<{ diagramType: string }>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: FlowDb }> };
}

let loaded: Promise<MermaidApi> | undefined;

function load(): Promise<MermaidApi> {
  loaded ??= (async () => {
    const dom = new JSDOM('<!doctype html><html><body></body></html>');
    Object.assign(globalThis, { window: dom.window, document: dom.window.document });
    const mermaid = ((await import('mermaid')) as unknown as { default: MermaidApi }).default;
    // GitHub renders with the strict security level: no scripts, no click handlers.
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    return mermaid;
  })();
  return loaded;
}

/**
 * Mermaid keeps `#35;`-style entities as private placeholders until it draws (`ﬂ°°35¶ß` for a
 * number, `ﬂ°name¶ß` for a name); this turns them into the characters a reader sees.
 */
function shown(value: string | undefined): string {
  // Line breaks first: a `<br/>` that a value spelled out is an entity until it is decoded.
  return (value ?? '')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/ﬂ°°(\d+)¶ß/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/ﬂ°(\w+)¶ß/g, (_, name: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>' })[name] ?? `&${name};`);
}

/** The body of a ```mermaid block. */
export function mermaidSource(block: string): string {
  const match = /^```mermaid\n([\s\S]*)\n```$/.exec(block);
  if (!match?.[1]) throw new Error(`not one fenced mermaid block:\n${block}`);
  return match[1];
}

/** Parses a fenced block with Mermaid; throws Mermaid's own error when it would not render. */
export async function parseDiagram(block: string): Promise<ParsedDiagram> {
  const mermaid = await load();
  const source = mermaidSource(block);
  const { diagramType } = await mermaid.parse(source);
  const { db } = await mermaid.mermaidAPI.getDiagramFromText(source);
  const vertices = db.getVertices();
  const subgraphs = db.getSubGraphs();
  // A subgraph at the end of an edge is listed as a vertex too: it is not a node people read.
  const list = (vertices instanceof Map ? [...vertices.values()] : Object.values(vertices)).filter((vertex) => !subgraphs.some((graph) => graph.id === vertex.id));
  return {
    type: diagramType,
    nodes: list.map((vertex) => ({ id: vertex.id, text: shown(vertex.text), classes: vertex.classes ?? [] })),
    edges: db.getEdges().map((edge) => ({ from: edge.start, to: edge.end, text: shown(edge.text) })),
    subgraphs: subgraphs.map((graph) => ({ id: graph.id, title: shown(graph.title), nodes: graph.nodes })),
  };
}
