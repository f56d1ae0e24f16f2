import { goJsonObject, goJsonString } from '../internal/go-json.js';
import { formatRfc3339Seconds, goZeroTimeMs } from '../internal/rfc3339.js';
import type {
  InplaceUpdateContainerStatus,
  InplaceUpdateState,
  StableContainerStatus,
} from './inplace-update-state.js';

/**
 * The exact bytes Go's `json.Marshal` writes for the state (SPEC 1.4): fields in struct order, empty
 * optional strings and empty maps omitted, `updateTimestamp` always present (UTC, whole seconds, `null`
 * when unset or invalid), map keys sorted by UTF-8 bytes, `restartCount` always written (as an int32).
 */
export function serializeInplaceUpdateState(state: InplaceUpdateState): string {
  const fields = [`"phase":${goJsonString(state.phase ?? '')}`];
  if (state.targetImage) fields.push(`"targetImage":${goJsonString(state.targetImage)}`);
  const targets = entries(state.targetImages);
  if (targets.length > 0) {
    fields.push(`"targetImages":${goJsonObject(targets.map(([k, v]) => [k, goJsonString(v ?? '')]))}`);
  }
  if (state.targetPodPhase) fields.push(`"targetPodPhase":${goJsonString(state.targetPodPhase)}`);
  fields.push(`"updateTimestamp":${timestamp(state.updateTimestamp)}`);
  const last = entries(state.lastContainerStatuses);
  if (last.length > 0) {
    fields.push(`"lastContainerStatuses":${goJsonObject(last.map(([k, v]) => [k, lastStatus(v)]))}`);
  }
  const stable = entries(state.stableContainerStatuses);
  if (stable.length > 0) {
    fields.push(`"stableContainerStatuses":${goJsonObject(stable.map(([k, v]) => [k, stableStatus(v)]))}`);
  }
  return `{${fields.join(',')}}`;
}

function entries<V>(map: Record<string, V> | undefined): [string, V | undefined][] {
  return map !== null && typeof map === 'object' ? Object.entries(map) : [];
}

function timestamp(date: Date | undefined): string {
  if (!(date instanceof Date)) return 'null';
  const ms = date.getTime();
  // Go's metav1.Time marshals its zero value (0001-01-01T00:00:00Z) as null.
  return Number.isNaN(ms) || ms === goZeroTimeMs ? 'null' : goJsonString(formatRfc3339Seconds(date));
}

function lastStatus(status: InplaceUpdateContainerStatus | undefined): string {
  const fields: string[] = [];
  if (status?.imageID) fields.push(`"imageID":${goJsonString(status.imageID)}`);
  if (status?.containerID) fields.push(`"containerID":${goJsonString(status.containerID)}`);
  return `{${fields.join(',')}}`;
}

function stableStatus(status: StableContainerStatus | undefined): string {
  const fields: string[] = [];
  if (status?.containerID) fields.push(`"containerID":${goJsonString(status.containerID)}`);
  fields.push(`"restartCount":${int32(status?.restartCount)}`);
  return `{${fields.join(',')}}`;
}

// Go stores restartCount as int32: anything else is truncated and wrapped the way a conversion would.
function int32(value: number | undefined): string {
  return String(typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) | 0 : 0);
}
