import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { usageError } from '../cli-error.js';

interface Node {
  /** The command path below the root, e.g. `get pools`. */
  path: string;
  children: string[];
  flags: string[];
}

// Commands whose first argument is a pool name: completed from `agentbox get pools -o name`.
const poolArgument = new Set(['claim', 'get pools', 'describe pool', 'scale pool', 'delete pool']);

/** `agentbox completion bash|zsh|fish`: a completion script generated from the command tree. */
export async function run(ctx: CliContext, shell: string, program: Command): Promise<void> {
  const nodes = walk(program, '');
  if (shell === 'bash') ctx.io.out(bash(nodes));
  else if (shell === 'zsh')
    ctx.io.out(`#compdef agentbox\nautoload -U +X bashcompinit && bashcompinit\n${bash(nodes)}`);
  else if (shell === 'fish') ctx.io.out(fish(nodes));
  else throw usageError(`completion: unknown shell "${shell}" (want bash, zsh or fish)`);
}

function walk(cmd: Command, path: string): Node[] {
  const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
  const here: Node = { path, children: cmd.commands.flatMap((c) => [c.name(), ...c.aliases()]), flags };
  return [here, ...cmd.commands.flatMap((c) => walk(c, path ? `${path} ${c.name()}` : c.name()))];
}

function bash(nodes: Node[]): string {
  const root = nodes[0] as Node;
  const aliases = new Map<string, string>();
  const cases = nodes.map((n) => {
    const words = [...n.children, ...n.flags, ...(n.path ? root.flags : [])].join(' ');
    const pools = poolArgument.has(n.path)
      ? ' $(agentbox get pools -o name 2>/dev/null | sed "s|.*/||")'
      : '';
    return `    "${n.path}") words="${words}${pools}" ;;`;
  });
  for (const n of nodes.slice(1)) aliases.set(n.path, n.path);
  const known = [...aliases.keys()].map((p) => `"${p}"`).join('|');
  return `# agentbox bash completion: source <(agentbox completion bash)
_agentbox() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    local next="\${path:+$path }$w"
    case "$next" in
      ${known}) path="$next" ;;
    esac
  done
  case "$path" in
${cases.join('\n')}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _agentbox agentbox
`;
}

function fish(nodes: Node[]): string {
  const lines = ['# agentbox fish completion: agentbox completion fish | source', 'complete -c agentbox -f'];
  for (const n of nodes) {
    const parts = n.path ? n.path.split(' ') : [];
    const cond =
      parts.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${parts[parts.length - 1]}`;
    if (n.children.length) lines.push(`complete -c agentbox -n '${cond}' -a '${n.children.join(' ')}'`);
    for (const f of n.flags) {
      const flag = f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`;
      lines.push(
        parts.length === 0 ? `complete -c agentbox ${flag}` : `complete -c agentbox -n '${cond}' ${flag}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
