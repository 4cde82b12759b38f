/**
 * How the runner stops a probe it no longer waits for (interrupted, or the launcher's own
 * timeout): the probe hands over, once, what stopping it means — kill its group, close its socket.
 * A plain callback, not an AbortSignal: at 300 probes a second, an AbortController and its event
 * listeners per run were a measurable share of the launcher's CPU (jitless V8, every call interpreted).
 */
export type OnCancel = (cancel: () => void) => void
