/** A probe's output as `status` shows it: what it said, trimmed to a few lines a person reads. */
const maxChars = 512

export const trimOutput = (text: string): string => {
  const t = text.trim()
  return t.length <= maxChars ? t : `${t.slice(0, maxChars)}… (${t.length - maxChars} more characters)`
}
