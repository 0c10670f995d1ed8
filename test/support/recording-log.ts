import type { Log } from '../../src/engine/ports.js';

/** A Log that keeps every line, warnings and errors marked, for tests to read. */
export class RecordingLog implements Log {
  readonly lines: string[] = [];

  info(message: string): void {
    this.lines.push(message);
  }

  warning(message: string): void {
    this.lines.push(`warning: ${message}`);
  }

  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }

  group<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.lines.push(`group: ${name}`);
    return work();
  }
}
