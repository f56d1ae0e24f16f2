import {
  ManagedByLabelKey,
  SandboxClaimedAtAnnotationKey,
  SandboxIDAnnotationKey,
  SandboxIDLabelKey,
  SandboxIdleTimeoutAnnotationKey,
  SandboxManagedAnnotationKeysAnnotationKey,
  SandboxManagedLabelKeysAnnotationKey,
  SandboxMetadataAnnotationKey,
  SandboxStartupTimeoutAnnotationKey,
} from '@agentbox/core';
import { formatRfc3339Seconds } from './rfc3339.js';

/** What a claim writes besides the images. */
export interface ClaimMetadataInput {
  sandboxId: string;
  managedBy: string;
  now: Date;
  /** Startup timeout in whole seconds (already defaulted). */
  startupTimeoutSeconds: number;
  idleTimeoutSeconds?: number | undefined;
  metadata?: Readonly<Record<string, string>> | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
  annotations?: Readonly<Record<string, string>> | undefined;
}

/**
 * The labels and annotations of a claim (CONTROLLER.md §6): the caller's first, then agentbox's own, which
 * win on a clash. `managed-label-keys` / `managed-annotation-keys` list (sorted, as JSON arrays) the
 * caller's keys, which the release removes again.
 */
export function buildClaimMetadata(input: ClaimMetadataInput): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels: Record<string, string> = { ...input.labels };
  labels[SandboxIDLabelKey] = input.sandboxId;
  labels[ManagedByLabelKey] = input.managedBy;
  const ownLabels = new Set([SandboxIDLabelKey, ManagedByLabelKey]);

  const annotations: Record<string, string> = { ...input.annotations };
  const own: Record<string, string> = {
    [SandboxIDAnnotationKey]: input.sandboxId,
    [SandboxClaimedAtAnnotationKey]: formatRfc3339Seconds(input.now),
    [SandboxStartupTimeoutAnnotationKey]: String(input.startupTimeoutSeconds),
  };
  if (input.idleTimeoutSeconds !== undefined)
    own[SandboxIdleTimeoutAnnotationKey] = String(input.idleTimeoutSeconds);
  if (input.metadata && Object.keys(input.metadata).length > 0)
    own[SandboxMetadataAnnotationKey] = sortedJsonObject(input.metadata);
  const callerLabelKeys = Object.keys(input.labels ?? {}).filter((k) => !ownLabels.has(k));
  const callerAnnotationKeys = Object.keys(input.annotations ?? {}).filter(
    (k) =>
      !Object.hasOwn(own, k) &&
      k !== SandboxManagedLabelKeysAnnotationKey &&
      k !== SandboxManagedAnnotationKeysAnnotationKey,
  );
  own[SandboxManagedLabelKeysAnnotationKey] = JSON.stringify(sortUtf8(callerLabelKeys));
  own[SandboxManagedAnnotationKeysAnnotationKey] = JSON.stringify(sortUtf8(callerAnnotationKeys));
  Object.assign(annotations, own);
  return { labels, annotations };
}

/** The keys of a JSON array annotation (`managed-label-keys`), or none when absent or malformed. */
export function parseKeyList(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/** JSON of a string map with its keys sorted, as Go's encoding/json writes maps. */
export function sortedJsonObject(map: Readonly<Record<string, string>>): string {
  const sorted: Record<string, string> = {};
  for (const key of sortUtf8(Object.keys(map))) sorted[key] = map[key]!;
  return JSON.stringify(sorted);
}

// Go sorts map keys by UTF-8 bytes; UTF-16 code-unit order agrees except between astral and high-BMP
// characters, which Kubernetes label and annotation keys (ASCII) never hold.
function sortUtf8(keys: string[]): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
