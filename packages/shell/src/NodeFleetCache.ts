/**
 * FleetCache in run/.configs.json (configCache.ts): the file the Effect-free `ls` reads, so a
 * fleet any command parsed is a fast `ls` next, and any command reads what `ls` parsed.
 */
import { FleetCache } from "@agentctl/core/FleetCache"
import { resolveLogSettings } from "@agentctl/core/LogSettings"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { resolve } from "node:path"
import { readConfigCache, stampFiles, writeConfigCache } from "./configCache.ts"

export const layer = (root: string): Layer.Layer<FleetCache> =>
  Layer.succeed(
    FleetCache,
    FleetCache.of({
      lookup: (glob) =>
        Effect.sync(() => {
          const cached = readConfigCache(root, glob)
          if (cached !== null) return { _tag: "Hit", entries: cached.entries } as const
          const { stamps, settingsStamp } = stampFiles(root, glob)
          return {
            _tag: "Miss",
            remember: (settings, entries) =>
              Effect.sync(() => {
                const logMaxSize: Record<string, number> = {}
                for (const e of entries) {
                  if (e._tag === "Valid") {
                    logMaxSize[e.spec.config.agent.id] = resolveLogSettings(
                      settings.logs,
                      e.spec.config.run.logs
                    ).maxSize
                  }
                }
                const envFile = resolve(root, settings.env_file)
                writeConfigCache(root, glob, stamps, settingsStamp, { entries, logMaxSize, envFile })
              })
          } as const
        })
    })
  )
