import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Backend } from '../../backend/backend';
import { isValidHostToken, startHost } from '../../backend/host';
import { rendererDist, repoRoot, resourcesDir } from '../../paths';
import { CliError, type CliCommand } from '../types';

export const command: CliCommand = {
  name: 'host',
  summary: 'Serve the app UI on 127.0.0.1 with the Node backend (development and e2e tests)',
  usage:
    'tessera host [--port N] [--data DIR]\n\nServes the built renderer (run `npm run build` first) and the backend over a local WebSocket.\nOpen the printed URL in a browser: it carries a secret token, new at every start, without which\nthe host refuses every request (TESSERA_HOST_TOKEN sets it, for test harnesses). Ctrl-C stops it.',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { port: { type: 'string', default: '5173' }, data: { type: 'string' } },
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new CliError(`--port must be 0–65535, got "${values.port}"`);
    const dataDir = resolve(io.cwd, values.data ?? resolve(repoRoot, '.tmp', 'host-data'));
    mkdirSync(dataDir, { recursive: true });
    const token = process.env.TESSERA_HOST_TOKEN || undefined;
    if (token !== undefined && !isValidHostToken(token))
      throw new CliError('TESSERA_HOST_TOKEN must be 16–128 characters of A–Z, a–z, 0–9, - and _');
    // Browser clients may use project paths inside the data folder only.
    const backend = new Backend({ resourcesDir, dataDir, host: 'node-host', pathRoot: dataDir });
    const host = await startHost({ backend, staticDir: rendererDist, port, token });
    io.stdout(`Tessera host listening on ${host.openUrl} (data: ${dataDir})\n`);
    await new Promise<void>((done) => {
      const stop = () => void host.close().then(done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    backend.close();
    return 0;
  },
};
