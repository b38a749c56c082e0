/**
 * Splits a byte stream into complete Server-Sent-Events frames without decoding text, so a passthrough
 * can forward each upstream event the moment its blank line arrives. Accepts LF and CRLF framing
 * (Google serves CRLF) and frames cut at any byte boundary.
 */
const LF = 0x0a;
const CR = 0x0d;

export class SseFrameSplitter {
  private pending: Buffer | undefined;
  /** Where the scan for the next line feed resumes inside `pending` (bytes before it hold no boundary). */
  private scanFrom = 0;

  /** Feeds one chunk; returns the frames it completed, each with its terminating blank line. */
  push(chunk: Buffer): Buffer[] {
    let buffer: Buffer;
    if (this.pending === undefined) {
      buffer = chunk;
    } else {
      buffer = Buffer.concat([this.pending, chunk]);
    }
    const frames: Buffer[] = [];
    let frameStart = 0;
    let index = buffer.indexOf(LF, this.scanFrom);
    while (index !== -1) {
      const next = index + 1;
      if (next >= buffer.length) break; // cannot tell yet whether a blank line follows
      const following = buffer[next];
      let frameEnd = -1;
      if (following === LF) frameEnd = next + 1;
      else if (following === CR) {
        if (next + 1 >= buffer.length) break;
        if (buffer[next + 1] === LF) frameEnd = next + 2;
      }
      if (frameEnd !== -1) {
        frames.push(buffer.subarray(frameStart, frameEnd));
        frameStart = frameEnd;
        index = buffer.indexOf(LF, frameEnd);
      } else {
        index = buffer.indexOf(LF, next);
      }
    }
    if (frameStart >= buffer.length) {
      this.pending = undefined;
      this.scanFrom = 0;
    } else {
      // Copy so the retained tail does not pin the whole upstream chunk in memory.
      this.pending = Buffer.from(buffer.subarray(frameStart));
      const resumeAt = index === -1 ? buffer.length : index;
      this.scanFrom = Math.max(0, resumeAt - frameStart);
    }
    return frames;
  }

  /** Bytes left over when the stream ended without a final blank line (a frame some servers still send). */
  flush(): Buffer | undefined {
    const rest = this.pending;
    this.pending = undefined;
    this.scanFrom = 0;
    if (rest === undefined || rest.toString('latin1').trim() === '') return undefined;
    return rest;
  }
}

export interface SseFrame {
  event: string | undefined;
  /** Data lines joined with `\n`; undefined when the frame had no data field (comments, pings). */
  data: string | undefined;
}

/** Reads the `event:` and `data:` fields of one frame (per the SSE spec: one optional space after the colon). */
export function parseSseFrame(text: string): SseFrame {
  let event: string | undefined;
  let data: string | undefined;
  let lineStart = 0;
  const length = text.length;
  while (lineStart < length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = length;
    let contentEnd = lineEnd;
    if (contentEnd > lineStart && text.charCodeAt(contentEnd - 1) === CR) contentEnd -= 1;
    if (contentEnd > lineStart && text.charCodeAt(lineStart) !== 0x3a /* ':' comment */) {
      const colon = text.indexOf(':', lineStart);
      const hasColon = colon !== -1 && colon < contentEnd;
      const field = hasColon ? text.slice(lineStart, colon) : text.slice(lineStart, contentEnd);
      let valueStart = hasColon ? colon + 1 : contentEnd;
      if (hasColon && text.charCodeAt(valueStart) === 0x20) valueStart += 1;
      const value = text.slice(valueStart, contentEnd);
      if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
      else if (field === 'event') event = value;
    }
    lineStart = lineEnd + 1;
  }
  return { event, data };
}
