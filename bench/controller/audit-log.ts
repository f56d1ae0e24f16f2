import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** kube-apiserver flags that log every request's metadata (never bodies) to `<dir>/audit.log`. */
export function auditArgs(dir: string): { args: string[]; logPath: string } {
  const policy = join(dir, 'audit-policy.yaml');
  const logPath = join(dir, 'audit.log');
  writeFileSync(
    policy,
    [
      'apiVersion: audit.k8s.io/v1',
      'kind: Policy',
      'omitStages: ["RequestReceived"]',
      'rules:',
      '  - level: Metadata',
      '',
    ].join('\n'),
  );
  return {
    args: [
      `--audit-policy-file=${policy}`,
      `--audit-log-path=${logPath}`,
      '--audit-log-format=json',
      '--audit-log-mode=blocking',
      '--audit-log-maxsize=0',
    ],
    logPath,
  };
}

/** Requests counted at the API server for one client (by User-Agent prefix) between two offsets of the log. */
export interface AuditCounts {
  requests: number;
  podWrites: number;
  byVerb: Record<string, number>;
}

/** The audit log's current length: count from here later with `countAudit`. */
export function auditMark(logPath: string): number {
  try {
    return readFileSync(logPath).length;
  } catch {
    return 0;
  }
}

/** Counts each request once (by auditID) whose User-Agent starts with `userAgent`, from `from` on. */
export function countAudit(logPath: string, from: number, userAgent: string): AuditCounts {
  const text = readFileSync(logPath).subarray(from).toString('utf8');
  const seen = new Set<string>();
  const counts: AuditCounts = { requests: 0, podWrites: 0, byVerb: {} };
  for (const line of text.split('\n')) {
    if (!line) continue;
    const event = JSON.parse(line) as {
      auditID: string;
      userAgent?: string;
      verb: string;
      objectRef?: { resource?: string; subresource?: string };
    };
    if (!event.userAgent?.startsWith(userAgent) || seen.has(event.auditID)) continue;
    seen.add(event.auditID);
    counts.requests++;
    const key = `${event.verb} ${event.objectRef?.resource ?? ''}${event.objectRef?.subresource ? `/${event.objectRef.subresource}` : ''}`;
    counts.byVerb[key] = (counts.byVerb[key] ?? 0) + 1;
    const write = ['create', 'update', 'patch', 'delete'].includes(event.verb);
    if (write && event.objectRef?.resource === 'pods' && !event.objectRef.subresource) counts.podWrites++;
  }
  return counts;
}
