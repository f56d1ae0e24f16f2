// What each simulated node's container runtime started, by container ID. It lives in the module, so it outlives
// a simulator stopped and started again on the same node name in the same process, as containerd outlives a
// kubelet restart. A restarted simulator reads it to tell a container that runs its spec image from one whose
// status only looks so: a split status write publishes the new image beside the old container's ID.
const started = new Map<string, string>();

/** Records that `containerID` on `node` was started for `image`. */
export function recordContainerStarted(node: string, containerID: string, image: string): void {
  started.set(`${node}\u0000${containerID}`, image);
}

/** The image `containerID` on `node` was started for, when this process started it. */
export function imageStartedFor(node: string, containerID: string): string | undefined {
  return started.get(`${node}\u0000${containerID}`);
}
