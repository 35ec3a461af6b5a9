import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;
type FromJson = (type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }) => History | null;

/*
 * Parses a history saved by `temporal workflow show --output json`. The SDK's own
 * historyFromJSON cannot be used here: npm installed separate copies of protobufjs under
 * @temporalio/common and @temporalio/proto, and the JSON parser of one rejects the message
 * types of the other ("type must be a Type"). Loading the parser from where @temporalio/proto
 * resolves it keeps types and parser from one copy, deduplicated or not.
 */
const fromJson = (createRequire(import.meta.resolve('@temporalio/proto')) as NodeJS.Require)('protobufjs/ext/protojson').fromJson as FromJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

/** The history in `file` as the decoded proto object that Worker.runReplayHistory accepts. */
export function readHistoryFile(file: string): History {
  const history = fromJson(historyType, JSON.parse(readFileSync(file, 'utf8')), { ignoreUnknownFields: true });
  if (history === null) throw new Error(`${file} is not a Temporal history`);
  return history;
}
