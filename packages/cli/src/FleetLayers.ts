import * as NodePath from "@effect/platform-node/NodePath"
import * as AgentLogsImpl from "@agentctl/shell/NodeAgentLogs"
import * as OomKillsImpl from "@agentctl/shell/CgroupOomKills"
import * as ConfigSourceImpl from "@agentctl/shell/NodeConfigSource"
import * as FleetCacheImpl from "@agentctl/shell/NodeFleetCache"
import * as FleetLockImpl from "@agentctl/shell/NodeFleetLock"
import * as ProbeRunnerImpl from "@agentctl/shell/NodeProbeRunner"
import * as RunDirImpl from "@agentctl/shell/NodeRunDir"
import * as SignalsImpl from "@agentctl/shell/NodeSignals"
import * as SpawnerImpl from "@agentctl/shell/NodeSpawner"
import * as PsProber from "@agentctl/shell/PsProber"
import * as ProcProber from "@agentctl/shell/ProcProber"
import { Fleet } from "@agentctl/core/Fleet"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as path from "node:path"

/** `--root`, else $AGENTCTL_ROOT, else the current directory; always absolute. */
export const resolveRoot = (flag: string | undefined): string =>
  path.resolve(flag ?? process.env.AGENTCTL_ROOT ?? process.cwd())

export const hostEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === "string"))

/** /proc when the host has it (no child processes), else one `ps` per snapshot. */
export const proberLayer = fs.existsSync("/proc/self/stat") ? ProcProber.layer : PsProber.layer

/** Every OS service the core programs need, for one fleet root. */
export const osLayer = (root: string) => {
  const agentLogs = AgentLogsImpl.layer(path.join(root, "run"))
  return Layer.mergeAll(
    Layer.succeed(Fleet, Fleet.of({ root, hostEnv: hostEnv() })),
    ConfigSourceImpl.layer(root),
    FleetCacheImpl.layer(root),
    RunDirImpl.layer(path.join(root, "run")),
    agentLogs,
    ProbeRunnerImpl.layer.pipe(Layer.provide(agentLogs)),
    FleetLockImpl.layer(path.join(root, "run")),
    proberLayer,
    SignalsImpl.layer,
    SpawnerImpl.layer,
    OomKillsImpl.layer,
    NodePath.layer
  )
}
