import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { ConfigEntry } from "./ConfigFile.ts"
import type { FleetSettings } from "./FleetSettings.ts"

/**
 * Parsed configs kept between commands. Parsing every agent's YAML is most of what a command
 * costs at 300 agents (each one loads the whole fleet: a duplicate id or a dependency cycle is
 * judged across all of it); an unchanged fleet is one cached read instead. A cache is keyed by
 * each file's identity, size and mtime and by the build that parsed it, so any edit, added or
 * removed file, or upgrade is a miss and the files are parsed again.
 *
 * Optional: loadFleet parses every time where none is provided (tests, in-memory fleets).
 */
export type FleetCacheLookup =
  | { readonly _tag: "Hit"; readonly entries: ReadonlyArray<ConfigEntry> }
  /**
   * Parse the files, then `remember` what they gave. The miss took the files' stamps before the
   * parse, so a file edited in between is a miss next time rather than stale.
   */
  | {
      readonly _tag: "Miss"
      readonly remember: (settings: FleetSettings, entries: ReadonlyArray<ConfigEntry>) => Effect.Effect<void>
    }

export class FleetCache extends Context.Service<
  FleetCache,
  {
    /** The entries of the config files `glob` matches, when none changed since they were cached. */
    readonly lookup: (glob: string) => Effect.Effect<FleetCacheLookup>
  }
>()("@agentctl/core/FleetCache") {}
