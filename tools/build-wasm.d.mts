/** Types of tools/build-wasm.mjs (for its test). */
export declare const ascOptions: Record<string, unknown>;
export declare function buildKernel(): Promise<Buffer>;
export declare function moduleText(bytes: Buffer): string;
