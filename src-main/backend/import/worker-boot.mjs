// Starts the import worker (worker.ts) in a worker thread under plain Node: module hooks are per
// thread, so the thread registers tsx itself before loading the TypeScript entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
