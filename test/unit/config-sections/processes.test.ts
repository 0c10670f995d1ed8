import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readProcesses } from '../../../src/config/sections/processes.js';
import type { CapacityConfig } from '../../../src/config/types.js';
import { readerOf, refusals } from '../../support/config.js';

const WEB: CapacityConfig = { instanceType: 't3.small', minSize: 1, desiredSize: 2, maxSize: 4, cpuTarget: 70 };

describe('the processes section', () => {
  test('none unless given', () => {
    assert.deepEqual(readProcesses(readerOf(), WEB, undefined, 10), { processes: [], processGraceSeconds: 30 });
  });

  test('one process a NAME=COMMAND line, the command kept as written; one instance of instance-type by default', () => {
    const reader = readerOf({ processes: '# the queue\nworker=celery -A shop worker --loglevel "info"\n\nmailer = python -m mailer\n' });
    const { processes } = readProcesses(reader, WEB, undefined, 10);
    assert.deepEqual(refusals(reader), []);
    assert.deepEqual(processes, [
      { name: 'worker', command: 'celery -A shop worker --loglevel "info"', capacity: { instanceType: 't3.small', minSize: 1, desiredSize: 1, maxSize: 1, cpuTarget: 70 } },
      { name: 'mailer', command: 'python -m mailer', capacity: { instanceType: 't3.small', minSize: 1, desiredSize: 1, maxSize: 1, cpuTarget: 70 } },
    ]);
  });

  test('sizes: a count, or a range that scales on cpu-target, optionally with an instance type', () => {
    const reader = readerOf({ processes: 'worker=celery worker\nmailer=mailer\nexports=exports', 'processes-sizes': 'worker=1-4 c7i.large\nmailer=3' });
    const sizes = readProcesses(reader, WEB, undefined, 10).processes.map((process) => process.capacity);
    assert.deepEqual(refusals(reader), []);
    assert.deepEqual(sizes, [
      { instanceType: 'c7i.large', minSize: 1, desiredSize: 1, maxSize: 4, cpuTarget: 70 },
      { instanceType: 't3.small', minSize: 3, desiredSize: 3, maxSize: 3, cpuTarget: 70 },
      { instanceType: 't3.small', minSize: 1, desiredSize: 1, maxSize: 1, cpuTarget: 70 },
    ]);
  });

  test('a preview runs one instance of each process, of the preview\'s instance type', () => {
    const preview: CapacityConfig = { ...WEB, instanceType: 't3.micro', minSize: 1, desiredSize: 1, maxSize: 1 };
    const { processes } = readProcesses(readerOf({ processes: 'worker=run', 'processes-sizes': 'worker=2-8 c7i.large' }), preview, 7, 10);
    assert.deepEqual(processes[0]!.capacity, { instanceType: 't3.micro', minSize: 1, desiredSize: 1, maxSize: 1, cpuTarget: 70 });
  });

  test('a health command and a grace period', () => {
    const reader = readerOf({ processes: 'worker=celery worker', 'processes-health': 'worker=celery inspect ping', 'processes-grace-seconds': '60' });
    const section = readProcesses(reader, WEB, undefined, 10);
    assert.equal(section.processes[0]!.health, 'celery inspect ping');
    assert.equal(section.processGraceSeconds, 60);
  });

  test('refuses names that are not DNS labels, web, a line without a command, a continued line, a duplicate, and a size or health of no process, naming the input', () => {
    const reader = readerOf({
      processes: 'Worker=run\nweb=gunicorn\nbad_name=run\nworker=\nworker=run \\\nqueue=run\nqueue=again\njust a command',
      'processes-sizes': 'ghost=2\nqueue=0',
      'processes-health': 'ghost=true',
    });
    readProcesses(reader, WEB, undefined, 10);
    assert.deepEqual(refusals(reader), [
      'processes: is not allowed: name a process with a DNS label other than web, boot, release, schedule: lowercase letters, digits and hyphens, starting with a letter, at most 20 characters',
      'processes: is not allowed: name a process with a DNS label other than web, boot, release, schedule: lowercase letters, digits and hyphens, starting with a letter, at most 20 characters',
      'processes: is not allowed: name a process with a DNS label other than web, boot, release, schedule: lowercase letters, digits and hyphens, starting with a letter, at most 20 characters',
      'processes: names worker twice: one line a process',
      'processes: names queue twice: one line a process',
      'processes: is not a NAME=VALUE line: use NAME=COMMAND, one process a line; use one line of at most 1024 printable characters (a command cannot span lines: chain steps with && or put a script in the image)',
      'processes-sizes: names ghost, which is not in processes: use the name of one of processes (worker, queue)',
      'processes-sizes: is not allowed: use NAME=COUNT (1 to 100) or NAME=MIN-MAX (1 <= MIN <= MAX <= 100), optionally followed by an instance type, e.g. worker=2 or worker=1-4 c7g.large',
      'processes-health: names ghost, which is not in processes: use the name of one of processes (worker, queue)',
      'processes: has no command after worker=: use NAME=COMMAND, e.g. worker=celery -A shop worker',
    ]);
  });

  test('refuses a command that continues on the next line', () => {
    const reader = readerOf({ processes: 'worker=celery worker \\' });
    readProcesses(reader, WEB, undefined, 10);
    assert.match(refusals(reader).join('\n'), /^processes: is not allowed: use one line .*a command cannot span lines/);
  });

  test('refuses a control character around a command too, not only inside it: trimming would hide it', () => {
    const reader = readerOf({ processes: 'worker=\u000b./run', 'processes-health': 'worker=./ping\u000c' });
    readProcesses(reader, WEB, undefined, 10);
    assert.deepEqual(refusals(reader).map((line) => line.split(': is not allowed: use one line')[0]).sort(), ['processes', 'processes-health']);
  });
});
