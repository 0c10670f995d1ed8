/** Text for the terminal: a line of the log, the plan, usage. */
export type Sink = (text: string) => void;

/**
 * A stream whose reader may go away at any time (`wimpy deploy | head -1`, a closed terminal).
 * Node reports the broken pipe (EPIPE) as an 'error' event that would end the process in the
 * middle of a deploy: here it only stops the writing, and the run goes on to its end.
 */
export function guardedSink(stream: NodeJS.WritableStream & { readonly destroyed?: boolean }): Sink {
  let open = true;
  // Kept for the whole run: every write already queued may still report the same closed pipe.
  stream.on('error', () => {
    open = false;
  });
  return (text) => {
    if (open && !stream.destroyed) stream.write(text);
  };
}
