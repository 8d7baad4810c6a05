/**
 * Reading another system's answer (the vehicle registry, an agency system) without trusting its size: a hostile
 * or broken server cannot fill memory.
 */

/** The answer's body as UTF-8 text, or null (the rest cancelled unread) once it passes `maxBytes`. No body: ''. */
export async function readCappedText(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
