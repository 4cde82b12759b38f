import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/** A cgroup's count of the kernel's OOM kills, and the file it was read from. */
export interface OomCount {
  readonly file: string
  readonly kills: number
}

/**
 * The kernel's own records of OOM kills, the only evidence for calling an exit `oom` (a SIGKILL
 * alone could be anyone's): the count of OOM kills in the cgroup an instance runs in (the
 * launcher's own unless the agent moved itself), and, where it may be read, the kernel log naming
 * each victim's pid. Implementations: shell/CgroupOomKills (cgroup v2 `memory.events`, v1
 * `memory.oom_control`, `/dev/kmsg`); the fake process table's.
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
    /**
     * The pids the kernel log says the OOM killer ended (as far back as its ring buffer goes); null
     * when the log cannot be read (`kernel.dmesg_restrict` without CAP_SYSLOG, no /dev/kmsg).
     */
    readonly victims: Effect.Effect<ReadonlySet<number> | null>
  }
>()("@agentctl/core/OomKills") {}

/** Whether the OOM killer struck in the cgroup between the two reads; unknown (either unread) is no. */
export const oomKilledBetween = (before: OomCount | null, after: OomCount | null): boolean =>
  before !== null && after !== null && after.file === before.file && after.kills > before.kills

/**
 * Whether the kernel's records prove the OOM killer ended `pid`: its cgroup's count grew during
 * its life, and the kernel log, when it can be read, names it. The log rules out another process
 * of a shared cgroup (several agents share the launcher's) being the victim while someone else
 * SIGKILLed this one; without the log, that coincidence is the one case the count cannot tell.
 */
export const provedOomKill = (evidence: {
  readonly pid: number
  readonly before: OomCount | null
  readonly after: OomCount | null
  readonly victims: ReadonlySet<number> | null
}): boolean =>
  oomKilledBetween(evidence.before, evidence.after) && (evidence.victims === null || evidence.victims.has(evidence.pid))
