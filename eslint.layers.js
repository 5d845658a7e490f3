// The import-boundary rule: src/ is stacked in layers, and a file may import its own layer
// or a lower one, never a higher one. docs/architecture.md draws the same stack.
// Lowest first.
export const LAYERS = [
  ["model", ["src/model/**"]],
  ["support", ["src/github/**", "src/store/**", "src/change-systems/**"]],
  ["facts", ["src/facts/**", "src/checklist/**"]],
  ["requirements", ["src/requirements/**"]],
  ["policy", ["src/policy/**"]],
  ["evaluate", ["src/evaluate/**"]],
  ["report", ["src/report/**"]],
  ["effects", ["src/effects/**"]],
  ["holds", ["src/holds/**", "src/deliveries/**"]],
  ["pipeline", ["src/pipeline/**"]],
  ["handlers", ["src/handlers/**"]],
  ["root", ["src/*.ts", "src/service/**", "src/cli/**"]],
];

const names = LAYERS.map(([name]) => name);

export const boundarySettings = {
  "boundaries/elements": LAYERS.flatMap(([type, patterns]) =>
    patterns.map((pattern) => ({ type, pattern, mode: "full" })),
  ),
  "import/resolver": { typescript: { project: "tsconfig.json" } },
  // mode "full" matches a pattern against the whole path, so the root's files (src/app.ts)
  // are an element like the folders are. Version 7 deprecates it in favour of partialMatch,
  // which matches folders only; the deprecation notice is turned off, the check is not.
  "boundaries/legacy-warnings": false,
};

export const boundaryRule = [
  "error",
  {
    default: "disallow",
    policies: names.map((name, i) => ({
      from: { element: { type: name } },
      allow: { to: { element: { types: { anyOf: names.slice(0, i + 1) } } } },
    })),
  },
];
