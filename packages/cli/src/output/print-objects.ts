import { stringify } from 'yaml';
import type { CliIo } from '../cli-context.js';

/** Output formats of `-o`; `table` is the default. */
export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name';

/** `-o` as given, `table` when absent. */
export function outputFormat(o: string | undefined): OutputFormat {
  return (o ?? 'table') as OutputFormat;
}

/** JSON as kubectl prints it (4-space indent). */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

/** YAML through the `yaml` package (block style, no line folding). */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** kubectl's list wrapper for `-o json|yaml` of several objects. */
export function asList(items: unknown[]): Record<string, unknown> {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

/** Prints one object (or a list) as JSON or YAML. */
export function printStructured(io: CliIo, format: 'json' | 'yaml', value: unknown): void {
  io.out(format === 'json' ? toJson(value) : toYaml(value));
}

/** Drops `metadata.managedFields`, as kubectl does unless asked. */
export function withoutManagedFields<T>(obj: T): T {
  const o = obj as { metadata?: { managedFields?: unknown } };
  if (!o?.metadata?.managedFields) return obj;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata } as T;
}
