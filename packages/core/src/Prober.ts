import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { ProbeFailed } from "./Errors.ts"
import type { Snapshot, Usage } from "./ProcessTable.ts"

/**
 * The process table. One `snapshot` answers a whole `ls`: never one probe per agent.
 * Implementations: shell/ProcProber (Linux /proc, no child processes) and shell/PsProber
 * (one `ps` call per snapshot, for hosts without /proc).
 */
export class Prober extends Context.Service<
  Prober,
  {
    readonly snapshot: Effect.Effect<Snapshot, ProbeFailed>
    /**
     * A snapshot taken after `previous` (of this boot): a session leader with the same pid and
     * start time is the same process, so its marker may be taken from `previous` rather than
     * read again. What stop loops use, looking every few milliseconds.
     */
    readonly snapshotAfter: (previous: Snapshot) => Effect.Effect<Snapshot, ProbeFailed>
    /**
     * This boot's id (the snapshot's `bootId`), read once: a spawn records it in the pid record
     * without paying for a whole snapshot.
     */
    readonly bootId: Effect.Effect<string, ProbeFailed>
    /** Usage of one pid, or null when it is gone. */
    readonly usage: (pid: number) => Effect.Effect<Usage | null, ProbeFailed>
    /** The command line of one pid, or null when it is gone or unreadable. */
    readonly argv: (pid: number) => Effect.Effect<ReadonlyArray<string> | null>
  }
>()("@agentctl/core/Prober") {}
