export function buildState(root: URL, outDir?: string): { fresh: true } | { fresh: false; reason: string };
