import { oomCountFiles, parseOomKills } from "@agentctl/core/cgroupText"
import { OomKills } from "@agentctl/core/OomKills"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { layer } from "../src/CgroupOomKills.ts"
import { cleanup, isAlive, startDetached, tempDir, waitFor } from "./support.ts"

const oomKills = <A, E, R>(f: (o: OomKills["Service"]) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(OomKills, f).pipe(Effect.provide(layer))

/** The oracle: the first count file of our own cgroup that reads, parsed. */
const ownCount = () => {
  for (const file of oomCountFiles(readFileSync("/proc/self/cgroup", "latin1"))) {
    try {
      const kills = parseOomKills(readFileSync(file, "latin1"))
      if (kills !== null) return { file, kills }
    } catch {
      // not this one
    }
  }
  return null
}

/** Where the OOM killer can be made to act: as root, in a child of our own cgroup v1 memory cgroup. */
const ownV1 = ownCount()?.file
const canLimit = process.getuid?.() === 0 && ownV1?.endsWith("/memory.oom_control") === true

/** That child, with a 64 MiB limit, removed when the scope closes. */
const limitedCgroup = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = join(ownV1!, "..", `agentctl-test-${process.pid}`)
    mkdirSync(dir)
    writeFileSync(join(dir, "memory.limit_in_bytes"), `${64 * 1024 * 1024}`)
    return dir
  }),
  (dir) => Effect.sync(() => rmdirSync(dir))
)

describe("CgroupOomKills", () => {
  afterEach(cleanup)

  it.effect("counts the OOM kills of the cgroup a pid runs in, as the kernel wrote them", () =>
    oomKills((o) =>
      Effect.gen(function* () {
        const count = yield* o.count(process.pid)
        expect(count).toEqual(ownCount())
        if (count !== null) expect(yield* o.recount(count)).toEqual(count)
      })
    )
  )

  it.effect("a pid that is gone has no count (no evidence, never an error)", () =>
    oomKills((o) => Effect.map(o.count(2 ** 31 - 1), (count) => expect(count).toBeNull()))
  )

  it.live.skipIf(!canLimit)("sees the OOM killer end a process of its cgroup (needs root and cgroup v1)", () =>
    oomKills((o) =>
      Effect.gen(function* () {
        const dir = yield* limitedCgroup
        const go = join(tempDir(), "go")
        // It joins the cgroup, waits for the test to count, then allocates until the kernel kills it.
        const grow = "const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))"
        const script = `echo $$ > ${dir}/cgroup.procs && while [ ! -e ${go} ]; do sleep 0.05; done; exec ${process.execPath} -e '${grow}'`
        const pid = yield* Effect.promise(() => startDetached("sh", ["-c", script]))
        const before = yield* Effect.promise(() =>
          waitFor("the process to join the cgroup", () =>
            Effect.runPromise(o.count(pid)).then((c) => (c?.file.startsWith(dir) === true ? c : undefined))
          )
        )
        writeFileSync(go, "")
        yield* Effect.promise(() => waitFor("the OOM killer", () => (isAlive(pid) ? undefined : true), 60_000))
        const after = yield* o.recount(before)
        expect(after?.kills).toBe(before.kills + 1)
        // The kernel log, where it may be read (CAP_SYSLOG, or dmesg_restrict 0), names the victim.
        const victims = yield* o.victims
        if (victims !== null) expect([...victims]).toContain(pid)
      })
    ).pipe(Effect.scoped)
  )
})
