/**
 * node:child_process, taken on the first spawn rather than imported: it brings net, dgram and
 * the stream machinery with it (~10 ms of every CLI start), and `status`, `logs` or `env` never
 * spawn. A builtin, so this is a lookup, not a load from disk.
 */
export const childProcess = () => process.getBuiltinModule("node:child_process")
