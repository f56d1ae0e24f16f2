// The real node's guard, a detached bash process started before anything touches the host.
// It takes the machine-wide lock (one real node at a time: they share sysctls and iptables),
// records the host state the node will change, and then waits until the test process asks
// for a stop or dies (SIGKILL included). Either way it runs the one cleanup below, so a
// normal stop and a crash undo exactly the same things. It is plain bash (no Node), because
// it must outlive the Node process that started it. Its settings come from an env file
// (first argument) written by startRealNode; the script avoids `${` so it can live in a
// template literal.
export const HOST_GUARD_SCRIPT = String.raw`#!/usr/bin/env bash
set -u
. "$1"
log() { echo "$(date +%H:%M:%S.%N | cut -c1-12) $*" >> "$CTRL_DIR/guard.log"; }
state() { echo "$1" > "$CTRL_DIR/guard.state.tmp"; mv "$CTRL_DIR/guard.state.tmp" "$CTRL_DIR/guard.state"; }
BEFORE="$CTRL_DIR/host-before"

if [ "$TAKE_LOCK" = 1 ]; then
  exec 9>"$LOCK_FILE"
  log "waiting for $LOCK_FILE"
  if ! flock -w "$LOCK_WAIT_SECONDS" 9; then log "lock not taken"; state lock-timeout; exit 1; fi
  log "lock taken"
else
  log "the caller holds $LOCK_FILE"
fi

iptables_norm() { grep -E '^(:|-A)' | sed -E 's/ \[[0-9]+:[0-9]+\]$//' | sort; }
cgroup_mounts() { awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo | sort -u; }

record() {
  mkdir -p "$BEFORE"
  for s in $SYSCTLS; do
    f=/proc/sys/$(echo "$s" | tr . /)
    if [ -e "$f" ]; then echo "$s $(cat "$f")"; fi
  done > "$BEFORE/sysctls"
  for d in $HOST_PATHS; do if [ -e "$d" ] || [ -L "$d" ]; then echo "$d"; fi; done > "$BEFORE/paths"
  for tool in iptables ip6tables; do
    command -v "$tool-save" > /dev/null || continue
    for t in filter nat mangle; do "$tool-save" -t "$t" 2> /dev/null | iptables_norm > "$BEFORE/$tool-$t"; done
  done
  if command -v nft > /dev/null; then nft list tables 2> /dev/null | sort > "$BEFORE/nft-tables"; fi
  for m in $(cgroup_mounts); do if [ -d "$m/kubepods" ]; then echo "$m/kubepods"; fi; done > "$BEFORE/kubepods"
}

kill_tree_pids() {
  # Every process whose command line names the node's run folder (kubelet, containerd, shims),
  # and every process in the node's cgroups (the containers).
  for p in /proc/[0-9]*; do
    pid=$(basename "$p")
    [ "$pid" = "$$" ] && continue
    if tr '\0' ' ' < "$p/cmdline" 2> /dev/null | grep -qF -- "$RUN_DIR"; then echo "$pid"; fi
  done
  for m in $(cgroup_mounts); do
    if [ -d "$m/$CGROUP_NAME" ]; then find "$m/$CGROUP_NAME" -name cgroup.procs -exec cat {} + 2> /dev/null; fi
  done
}

cleanup() {
  state cleaning
  failed=0
  for f in kubelet containerd; do
    if [ -s "$CTRL_DIR/$f.pid" ]; then kill -KILL "$(cat "$CTRL_DIR/$f.pid")" 2> /dev/null && log "killed $f"; fi
  done
  for i in $(seq 1 50); do
    pids=$(kill_tree_pids | sort -u)
    [ -z "$pids" ] && break
    log "killing $(echo $pids | wc -w) processes: $(echo $pids)"
    kill -KILL $pids 2> /dev/null
    sleep 0.2
  done
  if [ -n "$(kill_tree_pids)" ]; then log "processes still alive: $(kill_tree_pids | sort -u | tr '\n' ' ')"; failed=1; fi

  # Mounts under the run folder (kubelet's bind mount of its root dir, rootfs overlays, sandbox
  # shm, network namespaces), deepest first.
  for i in 1 2 3; do
    mounts=$(awk -v d="$RUN_DIR" 'index($5, d) == 1 { print length($5), $5 }' /proc/self/mountinfo | sort -rn | cut -d' ' -f2)
    [ -z "$mounts" ] && break
    for mp in $mounts; do umount "$mp" 2> /dev/null || umount -l "$mp" 2> /dev/null || true; done
    log "unmounted $(echo $mounts | wc -w) mounts"
  done
  if awk -v d="$RUN_DIR" 'index($5, d) == 1' /proc/self/mountinfo | grep -q .; then log "mounts left"; failed=1; fi

  if ip link show "$BRIDGE" > /dev/null 2>&1; then ip link delete "$BRIDGE" && log "deleted bridge $BRIDGE"; fi

  # iptables: delete the rules and chains that were not there before, table by table.
  for tool in iptables ip6tables; do
    command -v "$tool-save" > /dev/null || continue
    for t in filter nat mangle; do
      [ -f "$BEFORE/$tool-$t" ] || continue
      now=$("$tool-save" -t "$t" 2> /dev/null | iptables_norm)
      added=$(comm -13 "$BEFORE/$tool-$t" <(echo "$now"))
      echo "$added" | grep '^-A ' | while IFS= read -r rule; do
        eval "$tool -w -t $t -D $(echo "$rule" | cut -c4-)" 2> /dev/null && log "$tool -t $t: deleted $rule"
      done
      chains=$(echo "$added" | grep '^:' | cut -d' ' -f1 | cut -c2-)
      for c in $chains; do "$tool" -w -t "$t" -F "$c" 2> /dev/null; done
      for c in $chains; do "$tool" -w -t "$t" -X "$c" 2> /dev/null && log "$tool -t $t: deleted chain $c"; done
    done
  done
  # nftables tables that iptables-nft created for kubelet's chains (empty now, or only ours).
  if [ -f "$BEFORE/nft-tables" ]; then
    comm -13 "$BEFORE/nft-tables" <(nft list tables 2> /dev/null | sort) | while read -r _ fam name; do
      nft delete table "$fam" "$name" && log "deleted nft table $fam $name"
    done
  fi

  while read -r s v; do
    f=/proc/sys/$(echo "$s" | tr . /)
    if [ "$(cat "$f")" != "$v" ]; then echo "$v" > "$f" && log "sysctl $s restored to $v"; fi
  done < "$BEFORE/sysctls"

  # cgroups: the node's own root in every hierarchy, and a top-level kubepods that was not there.
  for m in $(cgroup_mounts); do
    for c in "$m/$CGROUP_NAME" "$m/kubepods"; do
      [ -d "$c" ] || continue
      if [ "$c" = "$m/kubepods" ] && grep -qxF "$c" "$BEFORE/kubepods"; then continue; fi
      find "$c" -depth -type d -exec rmdir {} \; 2> /dev/null
      if [ -d "$c" ]; then log "cgroup $c not removed"; failed=1; fi
    done
  done

  for d in $HOST_PATHS; do
    if { [ -e "$d" ] || [ -L "$d" ]; } && ! grep -qxF "$d" "$BEFORE/paths"; then rm -rf -- "$d" && log "removed $d"; fi
  done
  rm -rf -- "$RUN_DIR"
  if [ -e "$RUN_DIR" ]; then log "run folder not removed"; failed=1; fi
  if [ "$failed" = 0 ]; then log "host restored"; state clean; else log "cleanup incomplete"; state cleanup-failed; fi
}

record
log "host state recorded"
state ready
while kill -0 "$PARENT_PID" 2> /dev/null && [ ! -e "$CTRL_DIR/stop" ]; do sleep 0.5; done
if [ -e "$CTRL_DIR/stop" ]; then log "stop requested"; else log "test process $PARENT_PID died"; fi
cleanup
`;
