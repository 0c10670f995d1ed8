/** A bash word that stands for `value` exactly, whatever it holds: for scripts and for commands people copy. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
