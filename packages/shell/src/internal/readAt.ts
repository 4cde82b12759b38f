import type { FileHandle } from "node:fs/promises"

/** Up to `length` bytes from `position`: fewer only where the file ends (read(2) may return less at a time). */
export const readAt = async (handle: FileHandle, length: number, position: number): Promise<Buffer> => {
  const buffer = Buffer.allocUnsafe(length)
  let got = 0
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, position + got)
    if (bytesRead === 0) break
    got += bytesRead
  }
  return buffer.subarray(0, got)
}
