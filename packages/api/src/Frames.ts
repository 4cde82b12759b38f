/**
 * The frames of the server-sent-event routes, each as one schema, so what /openapi.json says a
 * frame is and what the server writes cannot drift. A frame has `data:` (the JSON of one value)
 * and, on /events, `id:` (the event's seq, to resume from). There is no `event:` line: SSE
 * parsers report such frames as `message`. The one frame with an `event:` is the platform's
 * `effect/http-api/stream/failure`, which ends a failed stream with the cause as its data.
 */
import { AgentEvent } from "@agentctl/core/AgentEvent"
import { BuildEvent } from "@agentctl/core/BuildOutput"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { LogRecordJson } from "./Responses.ts"

const eventField = Schema.optionalKey(Schema.String).annotate({
  description:
    "`message`, the SSE default, which the server leaves out; `effect/http-api/stream/failure` on the frame that ends a failed stream, with the encoded cause as its data."
})

/** The SSE default event name: the platform's writer leaves the `event:` line out for it. */
const message = "message"

const RecordSeqId = Schema.String.check(Schema.isPattern(/^[0-9]{1,16}$/u)).annotate({
  description:
    "The record's seq: send it back as Last-Event-ID to resume after it. Absent on a raw line, which has none."
})

/** A followed log's frames: one record each, `id:` its seq (none for a raw line), so a reconnect resumes. */
export const LogFrame = Schema.Struct({
  id: Schema.optionalKey(RecordSeqId),
  event: eventField,
  data: Schema.fromJsonString(LogRecordJson)
})
  .annotate({ identifier: "LogFrame" })
  .pipe(
    Schema.decodeTo(
      Schema.toType(LogRecordJson),
      SchemaTransformation.transform({
        decode: (frame: { readonly data: LogRecordJson }) => frame.data,
        encode: (
          record: LogRecordJson
        ): { readonly id?: string; readonly event?: string; readonly data: LogRecordJson } =>
          record.seq === null
            ? { event: message, data: record }
            : { id: String(record.seq), event: message, data: record }
      })
    )
  )

/** A build's frames: one BuildEvent each, the last one Done. Not resumable. */
export const BuildFrame = Schema.Struct({ event: eventField, data: Schema.fromJsonString(BuildEvent) })
  .annotate({ identifier: "BuildFrame" })
  .pipe(
    Schema.decodeTo(
      Schema.toType(BuildEvent),
      SchemaTransformation.transform({
        decode: (frame: { readonly data: BuildEvent }) => frame.data,
        encode: (event: BuildEvent): { readonly event?: string; readonly data: BuildEvent } => ({
          event: message,
          data: event
        })
      })
    )
  )

/** An event as /events sends it. */
export const StreamedEvent = Schema.Struct({
  ...AgentEvent.fields,
  /**
   * Only on the first event after a resume that could not replay everything since
   * `Last-Event-ID`: how many events are lost in between (null: unknown, the id is not from this
   * launcher's run).
   */
  missed: Schema.optionalKey(Schema.NullOr(Schema.Int)).annotate({
    description:
      "Only on the first event after a resume that could not replay everything since Last-Event-ID: how many events were lost in between (null: unknown, the id is not from this launcher's run)."
  })
}).annotate({ identifier: "StreamedEvent" })
export type StreamedEvent = typeof StreamedEvent.Type

const SeqId = Schema.String.check(Schema.isPattern(/^[0-9]{1,15}$/u)).annotate({
  description: "The event's seq: send it back as Last-Event-ID (or ?since=) to resume after it."
})

/** /events frames: `id: <seq>` and the event as `data`. */
export const EventFrame = Schema.Struct({ id: SeqId, event: eventField, data: Schema.fromJsonString(StreamedEvent) })
  .annotate({ identifier: "EventFrame" })
  .pipe(
    Schema.decodeTo(
      Schema.toType(StreamedEvent),
      SchemaTransformation.transform({
        decode: (frame: { readonly data: StreamedEvent }) => frame.data,
        encode: (
          event: StreamedEvent
        ): { readonly id: string; readonly event?: string; readonly data: StreamedEvent } => ({
          id: String(event.seq),
          event: message,
          data: event
        })
      })
    )
  )
