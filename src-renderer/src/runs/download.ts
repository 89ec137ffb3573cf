/** Save content the backend returned as a download (Blob + <a download>), in Electron and the browser alike. */

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke after the click has been handled (Chromium reads the URL asynchronously).
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function saveText(text: string, fileName: string): void {
  const type = fileName.endsWith('.json') ? 'application/json' : fileName.endsWith('.csv') ? 'text/csv' : 'text/plain';
  saveBlob(new Blob([text], { type: `${type};charset=utf-8` }), fileName);
}

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function saveBase64(base64: string, fileName: string, type = 'application/pdf'): void {
  saveBlob(new Blob([base64ToBytes(base64)], { type }), fileName);
}

export function saveBytes(bytes: Uint8Array, fileName: string, type: string): void {
  saveBlob(new Blob([new Uint8Array(bytes)], { type }), fileName);
}
