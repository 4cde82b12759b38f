import type { AgentSpec } from "./AgentConfig.ts"
import { type EnvEntry, type EnvLayer, mergeEnv } from "./env.ts"
import { MarkerAgentVar, MarkerFleetVar, notifyFd, NotifyFdVar } from "./ProcessTable.ts"

/**
 * The environment an agent runs with, lowest precedence first:
 * host env < fleet `.env` < the agent folder's `.env` < `run.env` < agentctl's identity marker.
 * The marker is last so no config can forge or drop it. Pure: the Effect-free `ls` reads the
 * files its own way and merges them with this, so both paths stack them alike.
 */
export const mergeAgentEnv = (
  root: string,
  spec: AgentSpec,
  layers: ReadonlyArray<EnvLayer>,
  agentDotenv: Readonly<Record<string, string>>
): ReadonlyArray<EnvEntry> =>
  mergeEnv([
    ...layers,
    { source: "agent .env", vars: agentDotenv },
    { source: "run.env", vars: spec.config.run.env },
    {
      source: "agentctl",
      vars: {
        [MarkerFleetVar]: root,
        [MarkerAgentVar]: spec.config.agent.id,
        ...(spec.config.notify ? { [NotifyFdVar]: String(notifyFd) } : {})
      }
    }
  ])
