import * as Schema from "effect/Schema"

/**
 * What the launcher says about the agents' logs in its own log (run/launcher.log): one line per
 * change of state, never one per line of output, so a full disk costs two lines, not millions.
 */
export const LogNotice = Schema.Union([
  /** Writes to an agent's log fail (disk full, quota, I/O error); its output is dropped and counted until they succeed. */
  Schema.Struct({
    event: Schema.Literal("log-write-failed"),
    id: Schema.String,
    path: Schema.String,
    code: Schema.NullOr(Schema.String),
    message: Schema.String
  }),
  Schema.Struct({ event: Schema.Literal("log-write-resumed"), id: Schema.String, droppedBytes: Schema.Number }),
  /** A rotated file deleted by the fleet budget (`max_total` or `keep_free`). */
  Schema.Struct({
    event: Schema.Literal("log-evicted"),
    id: Schema.String,
    file: Schema.String,
    bytes: Schema.Number,
    reason: Schema.Literals(["max_total", "keep_free"])
  }),
  /** run/<id>.log (written without a launcher) taken into the agent's records. */
  Schema.Struct({
    event: Schema.Literal("log-taken-over"),
    id: Schema.String,
    from: Schema.String,
    bytes: Schema.Number,
    skippedBytes: Schema.Number
  }),
  /** Reading an agent's pipe or compressing a rotated file failed. */
  Schema.Struct({ event: Schema.Literal("log-failed"), id: Schema.String, path: Schema.String, message: Schema.String })
])
export type LogNotice = typeof LogNotice.Type
