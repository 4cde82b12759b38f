/** Field schemas shared by the agent config, the fleet settings and the probes. */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { parseDurationMs } from "./Duration.ts"

/** A duration field: `5s`, `500ms`, `2m`, or a number of seconds; decoded to milliseconds. */
export const DurationMs = Schema.Union([Schema.String, Schema.Number]).pipe(
  Schema.decodeTo(
    Schema.Number,
    SchemaTransformation.transformEffect({
      decode: (input: string | number, options) => {
        const ms = parseDurationMs(input)
        return ms === undefined
          ? Effect.fail(
              new SchemaIssue.InvalidValue(
                {
                  message: `expected a duration such as 500ms, 5s, 2m or a number of seconds, got ${JSON.stringify(input)}`
                },
                input,
                options
              )
            )
          : Effect.succeed(ms)
      },
      encode: (ms: number) => Effect.succeed(`${ms}ms`)
    })
  )
)

/**
 * A string field that also takes a YAML number or boolean (`args: [600]`, `env: { PORT: 8080 }`):
 * YAML users write these unquoted all the time, and the process sees text anyway.
 */
export const ScalarString = Schema.Union([Schema.String, Schema.Number, Schema.Boolean]).pipe(
  Schema.decodeTo(
    Schema.String,
    SchemaTransformation.transform<string, string | number | boolean>({ decode: String, encode: (s) => s })
  )
)

// The kernel ends every argument and variable at its first NUL: a config must not say more than runs.
export const withoutNul = Schema.makeFilter((s: string) =>
  s.includes("\0") ? "contains a NUL byte, which no command line or environment can hold" : undefined
)

/** Text handed to the process: argv, cwd, env. */
export const ProcessString = Schema.String.check(withoutNul)
export const ProcessScalar = ScalarString.check(withoutNul)
