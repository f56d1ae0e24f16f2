// Generates the `spec.template` schema of the SandboxPool CRD from a real kube-apiserver's published OpenAPI v3
// (`GET /openapi/v3/api/v1`, schema io.k8s.api.core.v1.PodTemplateSpec), so a pool's template is validated as a
// real PodTemplateSpec instead of being accepted as anything.
//
//   node --conditions=@agentbox/source --import tsx scripts/generate-crd-schema.ts          # rewrite the CRD
//   node --conditions=@agentbox/source --import tsx scripts/generate-crd-schema.ts --check  # fail on drift
//
// It starts the test control plane of packages/testenv (the cached kube-apiserver build) for the document.
// The conversion follows what CRD structural schemas allow (and what controller-gen emits for embedded
// Kubernetes types):
// - `$ref` and `allOf: [{$ref}]` are inlined (a recursive reference would become a preserve-unknown object);
// - IntOrString and Quantity become `x-kubernetes-int-or-string` with `anyOf: [integer, string]`;
// - the template's ObjectMeta keeps labels, annotations, name, namespace and finalizers (other fields, such as
//   the `creationTimestamp: null` many clients send, are pruned rather than rejected);
// - descriptions, `default: {}` of objects and the extensions CRDs do not accept (patch strategy, unions,
//   group-version-kind) are dropped; list and map types and scalar defaults (list-map keys need them) are kept.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Schema = Record<string, unknown>;
interface OpenApiDocument {
  components: { schemas: Record<string, Schema> };
}

export const CRD_PATH = fileURLToPath(
  new URL('../deploy/crds/agents.navix.sh_sandboxpools.yaml', import.meta.url),
);
const ROOT = 'io.k8s.api.core.v1.PodTemplateSpec';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const INT_OR_STRING = new Set([
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
]);
const KEEP = new Set([
  'type',
  'format',
  'properties',
  'items',
  'additionalProperties',
  'required',
  'enum',
  'default',
  'nullable',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
]);
const FORMATS = new Set(['int32', 'int64', 'byte', 'date-time', 'double', 'float']);

const BEGIN = '# BEGIN generated spec.template';
const END = '# END generated spec.template';

const TEMPLATE_META: Schema = {
  type: 'object',
  properties: {
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    name: { type: 'string' },
    namespace: { type: 'string' },
  },
};

/** The structural CRD schema of a PodTemplateSpec, from an OpenAPI v3 document of `/api/v1`. */
export function podTemplateSchema(doc: OpenApiDocument): Schema {
  const schemas = doc.components.schemas;
  const refName = (ref: string) => ref.replace('#/components/schemas/', '');

  function named(name: string, stack: string[]): Schema {
    if (name === OBJECT_META) return structuredClone(TEMPLATE_META);
    if (INT_OR_STRING.has(name))
      return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    if (stack.includes(name)) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const target = schemas[name];
    if (!target) throw new Error(`OpenAPI document has no schema ${name}`);
    return convert(target, [...stack, name]);
  }

  function convert(node: Schema, stack: string[]): Schema {
    let out: Schema = {};
    const ref =
      (node.$ref as string | undefined) ??
      ((node.allOf as Schema[] | undefined)?.[0]?.$ref as string | undefined);
    if (ref) out = named(refName(ref), stack);
    for (const [key, value] of Object.entries(node)) {
      if (!KEEP.has(key)) continue;
      if (key === 'format' && !FORMATS.has(value as string)) continue;
      // `{}` defaults would fill every template with empty objects; Go's zero value `""` is published as the
      // default of some enums it is no member of (list-map keys need their `""` default, so only those go).
      if (key === 'default' && typeof value === 'object') continue;
      if (key === 'default' && Array.isArray(node.enum) && !node.enum.includes(value)) continue;
      if (key === 'properties') {
        const props: Schema = {};
        for (const [p, s] of Object.entries(value as Record<string, Schema>).sort(([a], [b]) =>
          a.localeCompare(b),
        ))
          props[p] = convert(s, stack);
        out.properties = props;
      } else if (key === 'items' || key === 'additionalProperties') {
        out[key] = typeof value === 'object' ? convert(value as Schema, stack) : value;
      } else {
        out[key] = value;
      }
    }
    if (
      out.type === undefined &&
      !out['x-kubernetes-int-or-string'] &&
      !out['x-kubernetes-preserve-unknown-fields']
    )
      throw new Error(
        `schema node without a type under ${stack.join(' → ')}: ${JSON.stringify(node).slice(0, 200)}`,
      );
    return out;
  }

  return convert(schemas[ROOT] ?? {}, [ROOT]);
}

/** YAML for a JSON value, `indent` spaces deep (strings double-quoted unless plainly safe). */
export function toYaml(value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const scalar = (v: unknown) =>
    typeof v === 'string'
      ? /^[A-Za-z][A-Za-z0-9_./-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(v)
        ? v
        : JSON.stringify(v)
      : JSON.stringify(v);
  const isScalar = (v: unknown) => v === null || typeof v !== 'object';
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isScalar(item)) lines.push(`${pad}- ${scalar(item)}`);
      else {
        const inner = toYaml(item, indent + 2);
        lines.push(`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1));
      }
    }
  } else {
    for (const [key, v] of Object.entries(value as Schema)) {
      const k = /^[A-Za-z$][A-Za-z0-9_$-]*$/.test(key) ? key : JSON.stringify(key);
      if (isScalar(v)) lines.push(`${pad}${k}: ${scalar(v)}`);
      else if (Array.isArray(v) && v.length === 0) lines.push(`${pad}${k}: []`);
      else if (!Array.isArray(v) && Object.keys(v as Schema).length === 0) lines.push(`${pad}${k}: {}`);
      else lines.push(`${pad}${k}:`, ...toYaml(v, Array.isArray(v) ? indent + 2 : indent + 2));
    }
  }
  return lines;
}

/** The CRD text with its `spec.template` property replaced by `schema` (the rest of the file untouched). */
export function renderCrd(crd: string, schema: Schema, source: string): string {
  const lines = crd.split('\n');
  let start = lines.findIndex((l) => l.trim().startsWith(BEGIN));
  let end = lines.findIndex((l) => l.trim().startsWith(END));
  let indent: number;
  if (start >= 0 && end > start) {
    indent = lines[start]!.length - lines[start]!.trimStart().length;
    end += 1;
  } else {
    // First run: the hand-written `template:` property under spec.properties.
    start = lines.findIndex((l) => /^ {16}template:$/.test(l));
    if (start < 0) throw new Error('no spec.template property found in the CRD');
    indent = 16;
    end = start + 1;
    while (end < lines.length && lines[end]!.length - lines[end]!.trimStart().length > indent) end++;
  }
  const pad = ' '.repeat(indent);
  const block = [
    `${pad}${BEGIN} by scripts/generate-crd-schema.ts from ${source}; do not edit by hand`,
    `${pad}template:`,
    `${pad}  description: Pod template (a PodTemplateSpec) every pod of the pool is created from.`,
    ...toYaml(schema, indent + 2),
    `${pad}${END}`,
  ];
  return [...lines.slice(0, start), ...block, ...lines.slice(end)].join('\n');
}

function get(server: string, path: string, token: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(
        `${server}${path}`,
        { ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () =>
            res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: HTTP ${res.statusCode}`)),
          );
        },
      )
      .on('error', reject);
  });
}

/** Fetches the document and the server's version from a running control plane. */
export async function fetchPodTemplateSource(access: { server: string; token: string; caData: string }) {
  const doc = JSON.parse(
    await get(access.server, '/openapi/v3/api/v1', access.token, access.caData),
  ) as OpenApiDocument;
  const version = (
    JSON.parse(await get(access.server, '/version', access.token, access.caData)) as { gitVersion: string }
  ).gitVersion;
  return { doc, source: `kube-apiserver ${version} /openapi/v3/api/v1 (${ROOT})` };
}

async function main(): Promise<void> {
  const { installCrds, startControlPlane } = await import('../packages/testenv/src/index.js');
  const plane = await startControlPlane();
  try {
    const { doc, source } = await fetchPodTemplateSource(plane);
    const current = readFileSync(CRD_PATH, 'utf8');
    const next = renderCrd(current, podTemplateSchema(doc), source);
    // The server must accept the result as a structural schema before it is written anywhere.
    const probe = join(tmpdir(), `sandboxpools-crd-${process.pid}.yaml`);
    writeFileSync(probe, next);
    try {
      await installCrds(plane.kubeConfig, [probe]);
    } finally {
      rmSync(probe, { force: true });
    }
    if (process.argv.includes('--check')) {
      if (next !== current) {
        process.stderr.write(`${CRD_PATH} is out of date: run scripts/generate-crd-schema.ts\n`);
        process.exitCode = 1;
      }
    } else {
      writeFileSync(CRD_PATH, next);
      process.stdout.write(`wrote ${CRD_PATH} (${next.length} bytes) from ${source}\n`);
    }
  } finally {
    await plane.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
