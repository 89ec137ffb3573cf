/**
 * A command's value that is already JSON text (a stored feeder, `feeders.get`): the adapters pass
 * the text on unparsed — the Node host splices it into its reply, the Electron main process hands
 * it to the preload, which parses it in the renderer — so a large value is never parsed and
 * re-serialised on the backend's thread. In-process callers (`Backend.handle`: tests, tools) get
 * it parsed.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** The Node host's WebSocket reply to request `id` whose value is `json` (the WireMessage shape). */
export function jsonReply(id: number, json: JsonText): string {
  return `{"kind":"reply","id":${JSON.stringify(id)},"result":{"ok":true,"value":${json.text}}}`;
}
