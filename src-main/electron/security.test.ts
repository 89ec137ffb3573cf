/**
 * Electron hardening (issue #13), tested without the Electron binary: the pure rules of
 * security.ts, the fuses in electron-builder.yml, and that main.ts wires each rule into its hook.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../paths';
import {
  APP_CSP,
  APP_ENTRY,
  appRequestFile,
  appResponseHeaders,
  externalUrlAllowed,
  isTrustedSender,
  navigationAllowed,
  permissionAllowed,
  rendererCommandRefusal,
} from './security';

const DEV = 'http://localhost:5173/';

describe('IPC sender check', () => {
  it('accepts only the top frame showing exactly the app page', () => {
    expect(isTrustedSender({ url: APP_ENTRY, parent: null })).toBe(true);
    expect(isTrustedSender({ url: `${APP_ENTRY}#/workspace`, parent: null })).toBe(true);
    expect(isTrustedSender({ url: APP_ENTRY, parent: {} }), 'a subframe').toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/evil.html', parent: null }), 'any file:// page').toBe(false);
    expect(
      isTrustedSender({ url: 'file:///opt/Tessera/resources/app.asar/out/renderer/index.html', parent: null }),
    ).toBe(false);
    expect(isTrustedSender({ url: 'app://tessera/other.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: `${APP_ENTRY}?x=1`, parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'app://evil/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    // Development: the dev server's page only when it is configured.
    expect(isTrustedSender({ url: DEV, parent: null }, DEV)).toBe(true);
    expect(isTrustedSender({ url: DEV, parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5174/', parent: null }, DEV)).toBe(false);
  });
});

describe('navigation and windows', () => {
  it('allows navigating only to the app page; external links only https on the allowlist', () => {
    expect(navigationAllowed(APP_ENTRY)).toBe(true);
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,hi',
      'app://tessera/x.html',
      'not a url',
    ])
      expect(navigationAllowed(url), url).toBe(false);
    expect(externalUrlAllowed('https://github.com/tessera/tessera')).toBe(true);
    for (const url of [
      'http://github.com/',
      'https://github.com.evil.example/',
      'https://user:pw@github.com/',
      'file:///bin/sh',
      'smb://host/share',
      'https://evil.example/',
      'ms-msdt:foo',
    ])
      expect(externalUrlAllowed(url), url).toBe(false);
  });

  it('denies every permission', () => {
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'clipboard-read',
      'fullscreen',
      'hid',
      'serial',
      'usb',
    ])
      expect(permissionAllowed(p), p).toBe(false);
  });
});

describe('app:// protocol', () => {
  const dir = '/opt/app/out/renderer';
  it('serves files of the renderer folder only', () => {
    expect(appRequestFile('app://tessera/', dir)).toBe(join(dir, 'index.html'));
    expect(appRequestFile('app://tessera/assets/index-1.js', dir)).toBe(join(dir, 'assets', 'index-1.js'));
    expect(appRequestFile('app://tessera/../../etc/passwd', dir)).toBe(join(dir, 'etc', 'passwd'));
    expect(appRequestFile('app://tessera/..%2f..%2fetc%2fpasswd', dir), 'encoded ..: still inside').toBe(
      join(dir, 'etc', 'passwd'),
    );
    expect(appRequestFile('app://tessera/a%00b', dir)).toBeNull();
    expect(appRequestFile('app://tessera/%E0%A4%A', dir)).toBeNull();
    expect(appRequestFile('app://other/index.html', dir)).toBeNull();
    expect(appRequestFile('file:///etc/passwd', dir)).toBeNull();
  });

  it('sends the CSP as a header, strict: no inline or remote script, no framing, no remote connections', () => {
    const h = appResponseHeaders(join(dir, 'index.html'));
    expect(h['content-type']).toBe('text/html; charset=utf-8');
    expect(h['content-security-policy']).toBe(APP_CSP);
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).toContain("frame-ancestors 'none'");
    expect(APP_CSP).toContain("connect-src 'self'");
    expect(APP_CSP).toContain("object-src 'none'");
    expect(APP_CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
  });
});

describe('paths from the renderer', () => {
  const recent = ['/home/u/a.tessera'];
  it('refuses Save As and create with a path and open of a path not on the recent list; the dialogs are the way', () => {
    expect(rendererCommandRefusal('projects.saveAs', { path: '/home/u/.bashrc', overwrite: true }, recent)?.code).toBe(
      'forbidden',
    );
    expect(rendererCommandRefusal('projects.create', { name: 'x', path: '/etc/x.tessera' }, recent)?.code).toBe(
      'forbidden',
    );
    expect(rendererCommandRefusal('projects.create', { name: 'x' }, recent)).toBeNull();
    expect(rendererCommandRefusal('projects.open', { path: '/etc/shadow' }, recent)?.code).toBe('forbidden');
    expect(rendererCommandRefusal('projects.open', { path: '/home/u/a.tessera' }, recent)).toBeNull();
    expect(rendererCommandRefusal('projects.open', null, recent)?.code).toBe('forbidden');
    expect(rendererCommandRefusal('scenarios.get', { id: 1 }, recent)).toBeNull();
  });
});

describe('configuration', () => {
  it('electron-builder.yml flips the fuses: RunAsNode, NODE_OPTIONS and --inspect off; cookie encryption, ASAR integrity, only-load-from-ASAR on', () => {
    // The two settings read from the YAML by hand (top-level `asar:`, the `electronFuses:` block of `  key: bool` lines).
    const lines = readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8').split(/\r?\n/);
    expect(lines).toContain('asar: true');
    const start = lines.indexOf('electronFuses:');
    expect(start).toBeGreaterThan(-1);
    const fuses: Record<string, boolean> = {};
    for (const line of lines.slice(start + 1)) {
      const m = /^ {2}(\w+): (true|false)\s*$/.exec(line);
      if (!m) break;
      fuses[m[1]!] = m[2] === 'true';
    }
    expect(fuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('main.ts wires every rule into its Electron hook', () => {
    // Layout-independent: one space per whitespace run, none just inside ( ) [ ], no trailing
    // commas — so the patterns below hold however the formatter wraps a call.
    const main = readFileSync(join(repoRoot, 'src-main', 'electron', 'main.ts'), 'utf8')
      .replace(/\s+/g, ' ')
      .replace(/([([]) /g, '$1')
      .replace(/ ([)\]])/g, '$1')
      .replace(/,([)\]}])/g, '$1')
      .replace(/, ([)\]}])/g, '$1');
    const wired: [string, RegExp][] = [
      ['permission requests', /setPermissionRequestHandler\([\s\S]*?callback\(permissionAllowed\(permission\)\)/],
      ['permission checks', /setPermissionCheckHandler\([\s\S]*?permissionAllowed\(permission\)/],
      ['will-navigate', /on\('will-navigate', \(e\) => refuse\(e, e\.url\)\)/],
      ['will-frame-navigate', /on\('will-frame-navigate', \(e\) => refuse\(e, e\.url\)\)/],
      ['will-redirect', /on\('will-redirect', \(e\) => refuse\(e, e\.url\)\)/],
      ['window.open', /setWindowOpenHandler\([\s\S]*?externalUrlAllowed\(url\)[\s\S]*?action: 'deny'/],
      ['every web contents', /app\.on\('web-contents-created', \(_e, contents\) => lockDown\(contents\)\)/],
      ['IPC sender', /if \(!isTrustedSender\(event\.senderFrame, devUrl\)\)/],
      ['renderer paths', /rendererCommandRefusal\(command, arg/],
      ['app:// protocol', /protocol\.handle\(APP_SCHEME[\s\S]*?appResponseHeaders\(file\)/],
      ['privileged scheme', /registerSchemesAsPrivileged\(\[\{ scheme: APP_SCHEME/],
      ['loads app://, not file://', /loadURL\(devUrl \?\? APP_ENTRY\)/],
      ['single instance', /requestSingleInstanceLock\(\)/],
    ];
    for (const [what, pattern] of wired) expect(main, what).toMatch(pattern);
    expect(main).not.toMatch(/loadFile\(/);
    expect(main).not.toMatch(/startsWith\('file:'\)/);
  });
});
