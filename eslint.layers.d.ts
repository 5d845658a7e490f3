// Types of eslint.layers.js, for the tests that read the layers (test/docs/architecture.test.ts).
export declare const LAYERS: [name: string, patterns: string[]][];
export declare const boundarySettings: Record<string, unknown>;
export declare const boundaryRule: [string, Record<string, unknown>];
