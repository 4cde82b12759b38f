import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { FileError, FleetLocked, LauncherActive } from "./Errors.ts"

/**
 * One mutator of a fleet at a time, across processes. Without a launcher, every command that
 * changes agents (start, stop, restart, kill, enable, disable) runs holding the fleet lock, a
 * kernel lock on `run/fleet.lock` that dies with its holder: two `start --all` at once run one
 * after the other, and the second finds every agent running.
 *
 * While a launcher runs it owns the fleet, and commands go through it. The lock is how that
 * hand-over stays exact: `exclusive` checks, holding the lock, that no launcher has registered;
 * a launcher registers first and then waits until no command holds the lock before it looks at
 * the process table. So a command either finishes before the launcher's first look, or learns
 * that it must ask the launcher (`LauncherActive`).
 */
export class FleetLock extends Context.Service<
  FleetLock,
  {
    /** Run `effect` as the fleet's one mutator; waits (bounded) while another command holds the lock. */
    readonly exclusive: <A, E, R>(
      effect: Effect.Effect<A, E, R>
    ) => Effect.Effect<A, E | FleetLocked | LauncherActive | FileError, R>
  }
>()("@agentctl/core/FleetLock") {}
