import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** An optional config key: absent, it decodes as if `value` had been written, so the default is checked too. */
export const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefault(Effect.succeed(value)))
