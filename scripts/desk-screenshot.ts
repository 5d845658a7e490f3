// Writes docs/images/desk-calendar.png: the sample desk's calendar drawn by Mermaid in
// headless Chromium, exactly as the desk's Mermaid test draws it. Run: npx tsx scripts/desk-screenshot.ts
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderDesk } from "../src/report/desk.js";
import { DESK_NOW, sampleSnapshot } from "../test/report/desk-fixture.js";
import { mermaidBlock, openMermaidPage } from "./mermaid-page.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "docs", "images", "desk-calendar.png");

const mermaid = await openMermaidPage();
try {
  // Mermaid draws "today" from the viewer's clock: the sample's own now keeps the picture stable.
  await mermaid.page.clock.setFixedTime(DESK_NOW);
  await mermaid.render(mermaidBlock(renderDesk(sampleSnapshot(), DESK_NOW).body));
  await mkdir(dirname(output), { recursive: true });
  // White behind the chart, as on github.com's light theme.
  await mermaid.page.addStyleTag({
    content: "body { margin: 0; background: #fff; } #chart { padding: 16px; }",
  });
  await mermaid.page.locator("#chart").screenshot({ path: output, animations: "disabled" });
  console.log(`wrote ${output}`);
} finally {
  await mermaid.close();
}
