// The pieces of a traced frame's text: fields with a key, so that the same field of the frame
// before and after its rewrite can be compared (trace-line.ts marks those that changed).

/** One shown field: `key` identifies it across the two frames, `text` is what is printed. */
export interface Token {
  readonly key: string;
  readonly text: string;
}

/** A group of tokens printed together ("eth", "ipip", "ip", "tcp"…). */
export interface Segment {
  readonly name: string;
  readonly tokens: readonly Token[];
}
