/**
 * Process start times and CPU use from /proc's clock-tick counters. Every input is an argument (boot time,
 * tick rate, now) so the numbers in `ls` can be tested without a clock or a kernel.
 */

export interface StartTimeInput {
  /** Clock ticks since boot, field 22 of /proc/<pid>/stat. */
  readonly startTime: number
  readonly ticksPerSecond: number
  /** Unix ms. */
  readonly bootTimeMs: number
}

export interface CpuSample {
  /** utime + stime, clock ticks. */
  readonly cpuTicks: number
  /** ms, from a clock that does not jump between the two samples. */
  readonly sampledAt: number
}

const usable = (input: StartTimeInput): boolean =>
  input.ticksPerSecond > 0 &&
  Number.isFinite(input.ticksPerSecond) &&
  Number.isFinite(input.startTime + input.bootTimeMs)

/** Unix ms when the process started; null when the inputs cannot give a time (no tick rate). */
export const startedAtMs = (input: StartTimeInput): number | null =>
  usable(input) ? Math.round(input.bootTimeMs + (input.startTime * 1000) / input.ticksPerSecond) : null

/**
 * Whole seconds since the process started. Never negative: btime is rounded to a second and the wall clock
 * may step back, so a process started a moment ago can appear to start in the future.
 */
export const uptimeSeconds = (input: StartTimeInput & { readonly nowMs: number }): number => {
  if (!usable(input) || !Number.isFinite(input.nowMs)) return 0
  const startMs = input.bootTimeMs + (input.startTime * 1000) / input.ticksPerSecond
  return Math.max(0, Math.floor((input.nowMs - startMs) / 1000))
}

/**
 * CPU use between two samples, as a percentage of one core (a busy 4-thread process reads 400), to 0.1.
 * 0 when the interval is empty or the counter went down (the pid was reused between samples).
 */
export const cpuPercent = (a: CpuSample, b: CpuSample, ticksPerSecond: number): number => {
  const intervalMs = b.sampledAt - a.sampledAt
  const ticks = b.cpuTicks - a.cpuTicks
  if (!(intervalMs > 0) || !(ticks > 0) || !(ticksPerSecond > 0)) return 0
  const percent = (ticks / ticksPerSecond / (intervalMs / 1000)) * 100
  return Number.isFinite(percent) ? Math.round(percent * 10) / 10 : 0
}
