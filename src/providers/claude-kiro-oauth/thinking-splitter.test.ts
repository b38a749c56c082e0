import { describe, expect, it } from 'vitest';
import { ThinkingSplitter, type SplitPiece } from './thinking-splitter.js';

function split(chunks: string[]): { thinking: string; text: string } {
  const splitter = new ThinkingSplitter();
  const pieces: SplitPiece[] = [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
  return {
    thinking: pieces
      .filter((piece) => piece.kind === 'thinking')
      .map((piece) => piece.text)
      .join(''),
    text: pieces
      .filter((piece) => piece.kind === 'text')
      .map((piece) => piece.text)
      .join(''),
  };
}

describe('ThinkingSplitter', () => {
  const cases: Array<[string, { thinking: string; text: string }]> = [
    ['<thinking>\nplan</thinking>\n\nanswer', { thinking: 'plan', text: 'answer' }],
    ['<thinking>plan</thinking>', { thinking: 'plan', text: '' }],
    ['no thinking here <thinking>x</thinking>\n\n', { thinking: '', text: 'no thinking here <thinking>x</thinking>\n\n' }],
    ['<thinking>about "</thinking>" tags</thinking>\n\nok', { thinking: 'about "</thinking>" tags', text: 'ok' }],
    ['<thinking>a</thinking>b</thinking>\n\nc', { thinking: 'a</thinking>b', text: 'c' }],
    ['<thinking>never closed', { thinking: 'never closed', text: '' }],
    ['  \n<thinking>x</thinking>\n\ny', { thinking: 'x', text: 'y' }],
    ['<thin', { thinking: '', text: '<thin' }],
  ];

  it.each(cases)('splits %j the same way at every chunk boundary', (input, expected) => {
    expect(split([input])).toEqual(expected);
    for (let cut = 1; cut < input.length; cut += 1) {
      expect(split([input.slice(0, cut), input.slice(cut)])).toEqual(expected);
    }
    expect(split([...input])).toEqual(expected);
  });
});
