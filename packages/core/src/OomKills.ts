import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/** A cgroup's count of the kernel's OOM kills, and the file it was read from. */
export interface OomCount {
  readonly file: string
  readonly kills: number
}

/**
 * The kernel's own record of OOM kills, the only evidence for calling an exit `oom` (a SIGKILL
 * alone could be anyone's). Read from the cgroup an instance runs in, which is the launcher's own
 * unless the agent moved itself. Implementations: shell/CgroupOomKills (cgroup v2 `memory.events`,
 * v1 `memory.oom_control`); the fake process table's.
 */
export class OomKills extends Context.Service<
  OomKills,
  {
    /**
     * The count for the cgroup `pid` runs in, read as an instance starts. Null when it cannot be
     * read (no memory controller, the root cgroup, no permission, the pid gone): that is no
     * evidence, so none of the instance's ends is called `oom`.
     */
    readonly count: (pid: number) => Effect.Effect<OomCount | null>
    /** The same counter read again, as the instance ended SIGKILLed; null when it cannot be read now. */
    readonly recount: (before: OomCount) => Effect.Effect<OomCount | null>
  }
>()("@agentctl/core/OomKills") {}

/** Whether the OOM killer struck between the two reads; unknown (either unread) is no. */
export const oomKilledBetween = (before: OomCount | null, after: OomCount | null): boolean =>
  before !== null && after !== null && after.file === before.file && after.kills > before.kills
