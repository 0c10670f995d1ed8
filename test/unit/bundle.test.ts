import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { buildOptions, literalSchemaKeys } from '../../scripts/bundle.js';

describe('the build', () => {
  test('writes the SDK schemas\' constant computed keys as the strings they are, leaving any other code alone', () => {
    const source = [
      'const _xN = "xmlName";',
      'const n0 = "com.amazonaws.ec2";',
      'export var A$ = [3, n0, _A, 0, [_B], [[() => B$, { [_xN]: _II }], [0, {a: 1, [_xN]: _C }]]];',
      'export var C$ = [3, n0, _C, 0, [], [{ [_unknown]: 1 }]];',
      'const pick = flag ? [_xN]: [];',
    ].join('\n');
    const written = literalSchemaKeys(source);
    assert.match(written, /\{ "xmlName": _II \}/);
    assert.match(written, /\{a: 1, "xmlName": _C \}/);
    assert.match(written, /\{ \[_unknown\]: 1 \}/, 'a key with no string constant stays computed');
    assert.match(written, /flag \? \[_xN\]: \[\]/, 'an array in a conditional is not a key');
  });

  test('keeps only the EC2 schemas the instances adapter reaches, not the whole client\'s', async () => {
    const result = await build({ ...buildOptions({ instances: 'lib/src/aws/instances.js' }, '.tmp/bundle-test'), write: false });
    const code = result.outputFiles.map((file) => file.text).join('\n');
    assert.match(code, /"DescribeInstancesRequest"/);
    assert.doesNotMatch(code, /"RunInstancesRequest"/);
  });
});
