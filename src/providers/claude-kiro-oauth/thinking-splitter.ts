const OPEN_TAG = '<thinking>';
const CLOSE_TAG = '</thinking>';

export interface SplitPiece {
  readonly kind: 'thinking' | 'text';
  readonly text: string;
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag` (a tag maybe cut by a chunk). */
function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (tag.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}

/**
 * Kiro returns requested thinking inline as `<thinking>…</thinking>\n\n` at the start of the text.
 * This splits a text stream, chunk by chunk, into thinking and visible text: tags cut between chunks
 * are held back until decided, the open tag only counts at the start of the answer, and a close tag
 * only counts when it is not quoted (no quote or backtick before it) and is followed by a blank line
 * or the end, so a model writing about `</thinking>` does not end its thinking early.
 */
export class ThinkingSplitter {
  private state: 'start' | 'thinking' | 'after-thinking' | 'text' = 'start';
  private pending = '';
  /** One newline right after the open tag belongs to the tag, even when it arrives in the next chunk. */
  private stripNewline = false;

  push(chunk: string): SplitPiece[] {
    this.pending += chunk;
    return this.drain(false);
  }

  /** Flushes what was held back when the stream ends. */
  end(): SplitPiece[] {
    return this.drain(true);
  }

  private drain(final: boolean): SplitPiece[] {
    const pieces: SplitPiece[] = [];
    const emit = (kind: SplitPiece['kind'], text: string) => {
      if (text !== '') pieces.push({ kind, text });
    };
    for (;;) {
      if (this.state === 'start') {
        const trimmed = this.pending.trimStart();
        if (trimmed.startsWith(OPEN_TAG)) {
          this.pending = trimmed.slice(OPEN_TAG.length);
          this.stripNewline = true;
          this.state = 'thinking';
          continue;
        }
        if (!final && (trimmed === '' || OPEN_TAG.startsWith(trimmed))) return pieces;
        this.state = 'text';
        continue;
      }
      if (this.state === 'thinking') {
        if (this.stripNewline) {
          if (this.pending === '' && !final) return pieces;
          this.stripNewline = false;
          if (this.pending.startsWith('\n')) this.pending = this.pending.slice(1);
        }
        const found = this.findRealClose(final);
        if (found === 'wait') {
          const keep = final ? 0 : Math.max(partialTagLength(this.pending, CLOSE_TAG), this.pendingCloseTail());
          emit('thinking', this.pending.slice(0, this.pending.length - keep));
          this.pending = this.pending.slice(this.pending.length - keep);
          if (final) this.state = 'text';
          return pieces;
        }
        emit('thinking', this.pending.slice(0, found));
        this.pending = this.pending.slice(found + CLOSE_TAG.length);
        this.state = 'after-thinking';
        continue;
      }
      if (this.state === 'after-thinking') {
        if (!final && '\n\n'.startsWith(this.pending)) return pieces;
        this.pending = this.pending.replace(/^\n\n/, '');
        this.state = 'text';
        continue;
      }
      emit('text', this.pending);
      this.pending = '';
      return pieces;
    }
  }

  /** Index of a close tag that ends the thinking, or 'wait' when none is decided yet. */
  private findRealClose(final: boolean): number | 'wait' {
    let from = 0;
    for (;;) {
      const index = this.pending.indexOf(CLOSE_TAG, from);
      if (index === -1) return 'wait';
      const before = this.pending[index - 1];
      const after = this.pending.slice(index + CLOSE_TAG.length);
      const quoted = before === '"' || before === "'" || before === '`';
      if (!quoted) {
        if (after.startsWith('\n\n') || (final && after === '')) return index;
        // Not enough text after the tag yet to tell: hold it back.
        if (!final && '\n\n'.startsWith(after)) return 'wait';
      }
      from = index + 1;
    }
  }

  /** Keeps a complete close tag (plus what follows) that still waits for its blank line. */
  private pendingCloseTail(): number {
    const index = this.pending.lastIndexOf(CLOSE_TAG);
    if (index === -1) return 0;
    const after = this.pending.slice(index + CLOSE_TAG.length);
    return '\n\n'.startsWith(after) ? this.pending.length - index : 0;
  }
}
