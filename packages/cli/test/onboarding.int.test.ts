import type { AgentRow } from "@agentctl/core/AgentRow"
import { parseAgentConfig, parseFleetSettings } from "@agentctl/core/ConfigFile"
import { defaultFleetSettings } from "@agentctl/core/FleetSettings"
import type { StartOutcome } from "@agentctl/core/Outcomes"
import * as Result from "effect/Result"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { alive, makeFleet, runAgentctl, type TestFleet } from "./fleetHarness.ts"

/*
 * A fleet from nothing, through the built bundle: `init` makes the folder, `add` the configs,
 * and neither ever replaces a file that is there.
 */

const tempDirs: Array<string> = []
const tempParent = () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "agentctl-init-")))
  tempDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

const read = (file: string) => fs.readFileSync(file, "utf8")

const configAt = (file: string) => {
  const entry = parseAgentConfig(file, path.dirname(file), read(file))
  if (entry._tag === "Invalid") throw new Error(entry.error)
  return entry.spec.config
}

describe("agentctl init", () => {
  it("makes the folder with agentctl.yaml (the defaults), .env and an empty agents/", async () => {
    const root = path.join(tempParent(), "fleet")
    const r = await runAgentctl(["init", root])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.split("\n")).toEqual([
      `created ${root}/`,
      `created ${root}/agentctl.yaml`,
      `created ${root}/.env`,
      `created ${root}/agents/`,
      `next: agentctl --root ${root} add <id> -- <command> [args...]`,
      ""
    ])
    expect(fs.readdirSync(root).toSorted()).toEqual([".env", "agentctl.yaml", "agents"])
    expect(fs.readdirSync(path.join(root, "agents"))).toEqual([])
    const settings = parseFleetSettings("agentctl.yaml", read(path.join(root, "agentctl.yaml")))
    expect(Result.getOrThrow(settings)).toEqual(defaultFleetSettings)
    expect(read(path.join(root, ".env"))).toMatch(/host's environment < this file < the agent's own .env/)
    // a fleet every command can use: no config yet, nothing invalid
    const validate = await runAgentctl(["--root", root, "validate"])
    expect([validate.code, validate.stderr]).toEqual([0, ""])
  })

  it("refuses to replace agentctl.yaml or .env, and changes nothing", async () => {
    const root = tempParent()
    fs.writeFileSync(path.join(root, "agentctl.yaml"), "api: { port: 9000 }\n")
    const again = await runAgentctl(["init", root])
    expect(again.code).toBe(2)
    expect(again.stderr).toBe(`agentctl: ${root}/agentctl.yaml already exists; agentctl does not overwrite it\n`)
    expect(read(path.join(root, "agentctl.yaml"))).toBe("api: { port: 9000 }\n")
    expect(fs.readdirSync(root)).toEqual(["agentctl.yaml"])

    const other = tempParent()
    fs.writeFileSync(path.join(other, ".env"), "TOKEN=keep me\n")
    const env = await runAgentctl(["--root", other, "init"])
    expect(env.code).toBe(2)
    expect(env.stderr).toContain(`${other}/.env already exists`)
    expect(read(path.join(other, ".env"))).toBe("TOKEN=keep me\n")
    expect(fs.readdirSync(other)).toEqual([".env"])
  })

  it("fills a folder that holds other things, keeping them; --json says what it made", async () => {
    const root = tempParent()
    fs.mkdirSync(path.join(root, "agents"))
    fs.writeFileSync(path.join(root, "notes.txt"), "mine\n")
    const r = await runAgentctl(["--root", root, "--json", "init"])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      root,
      created: [`${root}/agentctl.yaml`, `${root}/.env`],
      next: `agentctl --root ${root} add <id> -- <command> [args...]`
    })
    expect(read(path.join(root, "notes.txt"))).toBe("mine\n")
  })

  it("makes one folder, not a path: a missing parent is refused", async () => {
    const parent = tempParent()
    const r = await runAgentctl(["init", path.join(parent, "typo", "fleet")])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`cannot create the fleet root ${parent}/typo/fleet: its parent folder does not exist`)
    expect(fs.readdirSync(parent)).toEqual([])
  })
})

describe("agentctl add", () => {
  let fleet: TestFleet
  const ls = () => fleet.json<ReadonlyArray<AgentRow>>("ls")
  const file = (id: string) => path.join(fleet.root, "agents", id, "config.yaml")

  beforeAll(async () => {
    fleet = makeFleet()
    const init = await fleet.run("init")
    expect(init.code, init.stderr).toBe(0)
  })
  afterAll(async () => {
    // by its pid record, as a user would; cleanup then SIGKILLs whatever carries the fleet's marker
    await fleet.run("kill", "sleeper")
    fleet.cleanup()
  })

  it("writes a config that validate accepts and ls lists", async () => {
    const r = await fleet.run("add", "web", "--restart", "always", "--env", "PORT=8080", "--", "sleep", "600")
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`wrote ${file("web")}\nstart it with: agentctl --root ${fleet.root} start web\n`)
    const config = configAt(file("web"))
    expect(config.agent).toMatchObject({ id: "web", name: "web", enabled: true })
    expect(config.run).toMatchObject({
      command: "sleep",
      args: ["600"],
      restart: "always",
      env: { PORT: "8080" },
      cwd: "."
    })
    const validate = await fleet.run("validate")
    expect(validate.code, validate.stderr).toBe(0)
    expect(validate.stdout).toContain(`ok       web  ${file("web")}`)
    expect((await ls()).map((row) => [row.id, row.status])).toContainEqual(["web", "stopped"])
  })

  it("keeps every argument as it was typed", async () => {
    const args = ["--flag", "a b", "x: y", "#no", "007", "-", "", "--json", "--help", "true", "it's", "two\nlines"]
    const r = await fleet.run("add", "tricky", "--cwd", "sub dir", "--", "my tool", ...args)
    expect(r.code, r.stderr).toBe(0)
    const config = configAt(file("tricky"))
    expect(config.run.command).toBe("my tool")
    expect(config.run.args).toEqual(args)
    expect(config.run.cwd).toBe("sub dir")
  })

  it("refuses a config that is there already, and an id another config has", async () => {
    const before = read(file("web"))
    const same = await fleet.run("add", "web", "--", "true")
    expect(same.code).toBe(2)
    expect(same.stderr).toBe(`agentctl: ${file("web")} already exists; agentctl does not overwrite it\n`)
    expect(read(file("web"))).toBe(before)

    fleet.write("agents/elsewhere/config.yaml", "agent:\n  id: claimed\nrun:\n  command: sleep\n")
    const taken = await fleet.run("add", "claimed", "--", "true")
    expect(taken.code).toBe(2)
    expect(taken.stderr).toBe(
      `agentctl: agent id "claimed" is already used by ${fleet.root}/agents/elsewhere/config.yaml\n`
    )
    expect(fs.existsSync(path.join(fleet.root, "agents", "claimed"))).toBe(false)
  })

  it("refuses an id that is not one, and a bad --env, before writing anything", async () => {
    const agentsBefore = fs.readdirSync(path.join(fleet.root, "agents")).toSorted()
    const bad = await fleet.run("add", "../x", "--", "true")
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`invalid <id> "../x": an agent id is 1-63 characters`)
    const env = await fleet.run("add", "envy", "--env", "OK=1", "--env", "NO EQUALS", "--", "true")
    expect(env.code).toBe(2)
    expect(env.stderr).toContain(`invalid --env "NO EQUALS": expected KEY=VALUE`)
    const twice = await fleet.run("add", "envy", "--env", "A=1", "--env", "A=2", "--", "true")
    expect([twice.code, twice.stderr]).toEqual([2, `agentctl: --env "A" is given twice\n`])
    expect(fs.readdirSync(path.join(fleet.root, "agents")).toSorted()).toEqual(agentsBefore)
    expect(fs.existsSync(path.join(fleet.root, "x"))).toBe(false)
  })

  it("--start starts it, as start does", async () => {
    const r = await fleet.run("add", "sleeper", "--start", "--json", "--", "sleep", "600")
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as { file: string; start: ReadonlyArray<StartOutcome>; reload: null }
    expect(out.file).toBe(file("sleeper"))
    expect(out.reload).toBeNull()
    expect(out.start).toHaveLength(1)
    const [started] = out.start
    expect(started).toMatchObject({ id: "sleeper", result: "started", error: null })
    expect(alive(started!.pid!)).toBe(true)
    expect((await ls()).find((row) => row.id === "sleeper")).toMatchObject({ status: "running", pid: started!.pid })
  })
})

describe("agentctl add in a fleet whose configs are elsewhere", () => {
  let fleet: TestFleet
  beforeAll(() => {
    fleet = makeFleet()
    fleet.write("agentctl.yaml", "agents: bots/*.yaml\n")
  })
  afterAll(() => fleet.cleanup())

  it("refuses, naming agentctl.yaml's agents key: where the file goes is the user's to say", async () => {
    const r = await fleet.run("add", "a", "--", "true")
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`agents: in ${fleet.root}/agentctl.yaml is "bots/*.yaml"`)
    expect(fs.readdirSync(path.join(fleet.root, "agents"))).toEqual([])
  })
})
