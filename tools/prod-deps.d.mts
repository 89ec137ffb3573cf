/** Types of tools/prod-deps.mjs (for its test). */
export declare const PRODUCTION_DIRS: readonly string[];
export declare function productionFiles(root: string): string[];
export declare function productionImports(root: string): { uses: Map<string, Set<string>>; runtime: Set<string> };
