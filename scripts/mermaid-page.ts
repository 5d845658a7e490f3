// Draws Mermaid text the way GitHub does, with the real `mermaid` package in headless
// Chromium (Debian's /usr/bin/chromium), offline: a blank page, mermaid.min.js from
// node_modules, nothing fetched. Shared by the desk's Mermaid test and its screenshot script.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface MermaidPage {
  page: Page;
  /** Renders `text` to an SVG string; throws what Mermaid throws for a chart it cannot draw. */
  render(text: string): Promise<string>;
  close(): Promise<void>;
}

function mermaidScript(): string {
  const require = createRequire(import.meta.url);
  return join(require.resolve("mermaid/package.json"), "..", "dist", "mermaid.min.js");
}

export async function openMermaidPage(): Promise<MermaidPage> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}: the Mermaid tests draw charts in it. Install it with \`apt-get install -y chromium\`.`,
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), "desk-chromium-"));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1400, height: 900 },
    });
    // Loopback only: any request the page tries to make is refused.
    await context.route("**/*", (route) => route.abort());
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent('<!doctype html><html><body><div id="chart"></div></body></html>');
    await page.addScriptTag({ path: mermaidScript() });
    await page.evaluate(() => {
      // Runs in the page: no DOM types on the Node side, so the page's globals are named here.
      const m = (globalThis as unknown as { mermaid: { initialize(config: object): void } })
        .mermaid;
      m.initialize({ startOnLoad: false, securityLevel: "strict" });
    });
    const opened = context;
    return {
      page,
      render: (text) =>
        page.evaluate(async (source) => {
          const page = globalThis as unknown as {
            mermaid: { render(id: string, text: string): Promise<{ svg: string }> };
            document: { getElementById(id: string): { innerHTML: string } | null };
          };
          const { svg } = await page.mermaid.render("desk", source);
          const chart = page.document.getElementById("chart");
          if (chart) chart.innerHTML = svg;
          return svg;
        }, text),
      close: async () => {
        await opened.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The Mermaid source inside the first ```mermaid fence of a markdown body. */
export function mermaidBlock(markdown: string): string {
  const match = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  if (!match?.[1]) throw new Error("no ```mermaid block in the markdown");
  return match[1];
}
