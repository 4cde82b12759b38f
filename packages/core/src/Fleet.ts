import * as Context from "effect/Context"

/** Where the fleet lives and what the host gave us; built once by the CLI or the launcher. */
export class Fleet extends Context.Service<
  Fleet,
  {
    /** Absolute fleet root. */
    readonly root: string
    /** The environment agentctl itself was started with (lowest precedence for agents). */
    readonly hostEnv: Readonly<Record<string, string>>
  }
>()("@agentctl/core/Fleet") {}
