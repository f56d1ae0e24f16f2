import { InplaceUpdatePhaseCompleted } from '../constants.js';
import { parseImageReference } from '../image/parse-image-reference.js';
import type { DigestResolver, ResolveOptions } from '../ports/digest-resolver.js';
import type { Pod, PodContainerStatus } from '../ports/pod.js';
import { getInplaceUpdateState } from '../state/get-inplace-update-state.js';
import type { InplaceUpdateState } from '../state/inplace-update-state.js';
import type { ContainerUpdateExplanation, UpdateExplanation } from '../update-explanation.js';
import { containerStatusOf, containersOf, podKey, specImageOf, str } from './pod-access.js';
import { digestProblem } from './validate-digest.js';

/**
 * Evaluates SPEC 2.2 for every container the update concerns. With `stopEarly`, stops at the first
 * container that is not done (isInplaceUpdateCompleted); otherwise explains them all (explainUpdate).
 * Throws InvalidStateError on a malformed state, and the signal's reason once it aborts.
 */
export async function evaluateUpdate(
  pod: Pod,
  resolver: DigestResolver,
  signal: AbortSignal | undefined,
  stopEarly: boolean,
): Promise<UpdateExplanation> {
  const state = getInplaceUpdateState(pod);
  const result: UpdateExplanation = { pod: podKey(pod), completed: true, containers: [] };
  if (state === undefined) return result;
  result.phase = state.phase;
  if (state.targetPodPhase !== undefined) result.targetPodPhase = state.targetPodPhase;
  if (state.phase === InplaceUpdatePhaseCompleted) return result;

  const opts = resolveOptionsOf(pod, signal);
  for (const name of concernedContainers(pod, state)) {
    const explanation = await evaluateContainer(pod, state, name, resolver, opts);
    result.containers.push(explanation);
    if (!explanation.done) {
      result.completed = false;
      if (stopEarly) break;
    }
  }
  return result;
}

// Containers whose spec carries a target (the spec must still equal it), then those recorded at trigger.
function concernedContainers(pod: Pod, state: InplaceUpdateState): string[] {
  const targets = state.targetImages ?? {};
  const names = containersOf(pod)
    .map((c) => str(c.name))
    .filter((name) => Object.hasOwn(targets, name));
  for (const name of Object.keys(state.lastContainerStatuses ?? {}))
    if (!names.includes(name)) names.push(name);
  return names;
}

async function evaluateContainer(
  pod: Pod,
  state: InplaceUpdateState,
  name: string,
  resolver: DigestResolver,
  opts: ResolveOptions,
): Promise<ContainerUpdateExplanation> {
  const out: ContainerUpdateExplanation = { container: name, done: false, message: '' };
  const pending = (reason: ContainerUpdateExplanation['reason'], message: string) => {
    out.reason = reason;
    out.message = out.waiting?.reason ? `${message} (waiting: ${out.waiting.reason})` : message;
    return out;
  };
  const specImage = specImageOf(pod, name);
  const targetImage = state.targetImages?.[name];
  if (specImage !== undefined) out.specImage = specImage;
  if (targetImage !== undefined) out.targetImage = targetImage;
  if (specImage !== undefined && targetImage !== undefined && specImage !== targetImage) {
    return pending('SpecNotAtTarget', `spec image ${specImage} is not the target ${targetImage}`);
  }
  const recorded = state.lastContainerStatuses?.[name];
  if (recorded === undefined) return done(out, 'no image change recorded for this container');
  if (specImage === undefined) return pending('ContainerNotInSpec', 'container is not in the pod spec');

  const status = containerStatusOf(pod, name);
  if (status === undefined) return pending('NoStatus', 'kubelet has not reported the container yet');
  const waiting = status.state?.waiting;
  if (waiting !== undefined && waiting !== null) out.waiting = pick(waiting);

  // Secondary signal: kubelet always replaces a container whose image changed.
  const recordedID = recorded.containerID ?? '';
  if (recordedID !== '' && (str(status.containerID) === '' || status.containerID === recordedID)) {
    return pending('ContainerIDUnchanged', `container ${recordedID} has not been replaced yet`);
  }
  // kubelet writes imageID, containerID and state in separate status updates: the new imageID can sit beside
  // the killed container's id and `terminated` state. With no container recorded at the trigger (a claim of a
  // pod still creating its container), or a container started and killed since, the ID check above cannot
  // tell; only a container shown running is the one the target started.
  if (status.state?.running === undefined || status.state.running === null) {
    return pending('ContainerNotRunning', `container ${str(status.containerID) || '(none)'} is not running`);
  }

  let running: string;
  try {
    running = resolver.digestFromStatus(str(status.image), str(status.imageID));
  } catch (err) {
    out.error = err;
    return pending('InvalidImageID', `no digest in imageID ${JSON.stringify(str(status.imageID))}`);
  }
  out.runningDigest = running;
  try {
    out.targetDigest = await resolver.resolve(specImage, opts);
    if (out.targetDigest === running) return done(out, `running ${running}`);
    const [runningConfig, targetConfig] = [
      await resolver.resolveConfigDigest(runningReference(status, running, specImage), opts),
      await resolver.resolveConfigDigest(specImage, opts),
    ];
    // Only a valid digest names a config: two empty or malformed answers are no evidence of the same image.
    if (runningConfig === targetConfig && digestProblem(targetConfig) === undefined) {
      return done(out, `running ${running}, same config ${targetConfig}`);
    }
  } catch (err) {
    opts.signal?.throwIfAborted();
    out.error = err;
    return pending('ResolverError', `cannot resolve ${specImage}: ${(err as Error)?.message ?? String(err)}`);
  }
  return pending('DigestMismatch', `running ${running}, target ${out.targetDigest} (${specImage})`);
}

function done(out: ContainerUpdateExplanation, message: string): ContainerUpdateExplanation {
  out.done = true;
  out.message = message;
  return out;
}

function pick(waiting: { reason?: string; message?: string }): { reason?: string; message?: string } {
  const out: { reason?: string; message?: string } = {};
  if (typeof waiting.reason === 'string') out.reason = waiting.reason;
  if (typeof waiting.message === 'string') out.message = waiting.message;
  return out;
}

/** Options for the resolver: the pod's namespace and pull secret names, and the caller's signal. */
export function resolveOptionsOf(pod: Pod, signal: AbortSignal | undefined): ResolveOptions {
  const opts: ResolveOptions = {};
  const namespace = str(pod.metadata?.namespace);
  if (namespace !== '') opts.namespace = namespace;
  const secrets = pod.spec?.imagePullSecrets;
  const names = Array.isArray(secrets) ? secrets.map((s) => str(s?.name)).filter((n) => n !== '') : [];
  if (names.length > 0) opts.pullSecrets = names;
  if (signal !== undefined) opts.signal = signal;
  return opts;
}

// A reference a registry can serve the running image's config from: the repository recorded in the
// imageID when there is one, else the status image's, else the spec image's; the raw imageID as a last resort.
function runningReference(status: PodContainerStatus, digest: string, specImage: string): string {
  const imageID = str(status.imageID).replace(/^docker(-pullable)?:\/\//, '');
  if (imageID.includes('@')) return imageID;
  for (const candidate of [str(status.image), specImage]) {
    // Some runtimes report the image as a bare digest, which names no repository.
    if (digestProblem(candidate) === undefined) continue;
    try {
      return `${parseImageReference(candidate).name}@${digest}`;
    } catch {
      // try the next candidate
    }
  }
  return str(status.imageID);
}
