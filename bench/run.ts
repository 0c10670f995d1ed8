/**
 * `npm run bench`: the bundled action against an AWS-compatible endpoint (AWS_ENDPOINT_URL, or
 * the moto emulator on 127.0.0.1:5000), through the counting proxy with a fixed latency on every
 * request (BENCH_LATENCY_MS, 50 ms unless given), next to the AWS CLI script a team would write
 * for the same outcomes. Prints the results and rewrites the README's bench section;
 * BENCH_TIMELINE_FILE names a file for every request's start and end, scenario by scenario.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { DIST_BUDGET_BYTES } from '../scripts/bundle.js';
import { repositoryFile } from './measure.js';
import { renderReport, withBenchSection, type BenchReport, type ScenarioRow, type Target } from './report.js';
import { longestChain, operationName, stackOf, type TimedRequest } from './timeline.js';

const MOTO = 'http://127.0.0.1:5000';
const TARGETS = { noChangeShare: 1 / 4, rollbackRequests: 3, sweepTeardowns: 3, sweepListings: 2, thirdReleaseRatio: 1.2, coldStartMs: 300, coldStartRatio: 1.3, distBytes: DIST_BUDGET_BYTES, peakMb: 150 };

/** The endpoint to measure against, and whether it is moto; a clear refusal when there is none. */
async function endpoint(): Promise<{ url: string; moto: boolean }> {
  const given = process.env.AWS_ENDPOINT_URL;
  const url = given || MOTO;
  try {
    const dashboard = await fetch(new URL('/moto-api/', url), { signal: AbortSignal.timeout(5000) });
    return { url, moto: dashboard.ok && /moto/i.test(await dashboard.text()) };
  } catch {
    throw new Error(
      given
        ? `AWS_ENDPOINT_URL (${given}) does not answer: start the emulator there, or point AWS_ENDPOINT_URL at one that runs.`
        : `No AWS-compatible endpoint: nothing answers at ${MOTO}. Start the moto emulator there, or set AWS_ENDPOINT_URL to an AWS-compatible endpoint on this machine.`,
    );
  }
}

/** Where moto is not AWS, and what it costs each side. */
const MOTO_NOTE =
  'Where moto is not AWS, and what it costs each side: moto lists certificates without their alternative names, so a first deploy describes the certificate it lists to see them (one request more than on AWS; later runs read the certificate their load balancer has by its ARN, on AWS as on moto); a stack moto creates from a change set neither resolves imports nor registers exports, so the script creates new stacks with `create-stack` instead of `deploy`; moto reports an SSM parameter by the image id it resolved, not by its name, so the action can compare the application stack only through a change set, and it sees the script\'s image parameter as changed on every `deploy`, so the script\'s run with nothing to change updates the application stack; Route 53 changes are in sync at once, for both; moto has no ListImports, so the counting proxy answers it as AWS does for an export that no stack imports (true of every stack these runs remove).';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The longest chain of requests that each stack's own requests form. */
function perStackChains(timeline: readonly TimedRequest[]): Map<string, number> {
  const byStack = new Map<string, TimedRequest[]>();
  for (const request of timeline) {
    const stack = stackOf(request);
    if (stack) byStack.set(stack, [...(byStack.get(stack) ?? []), request]);
  }
  return new Map([...byStack].map(([stack, requests]) => [stack, longestChain(requests).length]));
}

const chainText = (timeline: readonly TimedRequest[]) => longestChain(timeline).map(operationName).join(' → ');
const ROUTE53_CHANGE = 'ChangeResourceRecordSets';
/** A traffic change through a load balancer's listener. */
const TRAFFIC_CHANGES = new Set(['ModifyListener', 'ModifyRule']);

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error(`BENCH_LATENCY_MS must be a number of milliseconds, not ${process.env.BENCH_LATENCY_MS}`);
const { url, moto } = await endpoint();
// The e2e support, which these modules import, reads AWS_ENDPOINT_URL when it is first imported.
process.env.AWS_ENDPOINT_URL = url;
const [{ EXPIRED_PREVIEWS, SCENARIOS, UNRELATED_STACKS, closeProbe, prepareAccount, runActionScenarios, runScriptScenarios, startProbe }, { coldStart }] = await Promise.all([import('./scenarios.js'), import('./cold-start.js')]);
const progress = (who: string) => (name: keyof typeof SCENARIOS) => log(`  ${who}: ${SCENARIOS[name].title}`);

log(`bench against ${url}, ${latencyMs} ms per request; warming up (the zone's first certificate takes moto a minute) while the cold start is measured`);
const warmUpStarted = performance.now();
const [account, start] = await Promise.all([prepareAccount(true), coldStart()]);
const warmUpSeconds = (performance.now() - warmUpStarted) / 1000;
const probe = await startProbe(url, latencyMs);
const { action, script } = await (async () => {
  try {
    let actionResults;
    try {
      actionResults = await runActionScenarios(url, probe, account, progress('action'));
    } finally {
      account.close();
    }
    // A fresh account for the script, with the same zone name and a certificate to pass in.
    const scriptAccount = await prepareAccount(false);
    try {
      return { action: actionResults, script: await runScriptScenarios(url, probe, scriptAccount, progress('AWS CLI script')) };
    } finally {
      scriptAccount.close();
    }
  } finally {
    await closeProbe(probe);
  }
})();

const names = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];
const scriptOf = (name: keyof typeof SCENARIOS) => (name in script ? script[name as keyof typeof script] : undefined);
const rows: ScenarioRow[] = names.map((name) => {
  const run = scriptOf(name);
  const does = SCENARIOS[name].script;
  return { title: SCENARIOS[name].title, short: SCENARIOS[name].short, action: action[name], ...(run && does ? { script: { ...run, does } } : {}) };
});

const noChange = action.noChange;
const share = noChange.wallMs / script.noChange.wallMs;
const changeSets = [...new Set(noChange.timeline.filter((request) => request.operation === 'CreateChangeSet').map(stackOf))];
const stackChains = perStackChains(noChange.timeline);
const [deepest, deepestRoundTrips] = [...stackChains].reduce((best, entry) => (entry[1] > best[1] ? entry : best), ['', 0]);

/** A rollback's requests before its traffic change (a Route 53 change, or a listener's), and its wall time without the wait for INSYNC. */
function beforeTrafficChange(rollback: (typeof action)['rollback']) {
  const changeAt = rollback.timeline.findIndex((request) => TRAFFIC_CHANGES.has(request.operation) || operationName(request) === ROUTE53_CHANGE);
  const before = changeAt < 0 ? rollback.timeline : rollback.timeline.slice(0, changeAt);
  const change = rollback.timeline[changeAt];
  const syncs = rollback.timeline.filter((request) => operationName(request) === 'GetChange');
  const syncWaitMs = change && syncs.length > 0 ? syncs.at(-1)!.end - change.end : 0;
  return { changed: changeAt >= 0, before, syncWaitMs, wallMs: rollback.wallMs };
}
const rollbackText = (measured: ReturnType<typeof beforeTrafficChange>) =>
  `${measured.before.length} (${measured.before.map(operationName).join(', ')}); ${((measured.wallMs - measured.syncWaitMs) / 1000).toFixed(2)} s wall without the wait for INSYNC (${measured.syncWaitMs.toFixed(0)} ms)`;
const rollback = beforeTrafficChange(action.rollback);
const rollbackCrowded = beforeTrafficChange(action.rollbackCrowded);

const crowded = action.noChangeCrowded;
const crowdedShare = crowded.wallMs / script.noChange.wallMs;
// Listing the account: the listing form of DescribeStacks (no stack named) and ListStacks. The
// tag index's answers hold only the application's stacks: counted apart.
const listings = action.previewSweep.timeline.filter((request) => (request.operation === 'DescribeStacks' && !stackOf(request)) || request.operation === 'ListStacks');
const tagQueries = action.previewSweep.timeline.filter((request) => request.operation === 'GetResources');
const sweepRatio = action.previewSweep.wallMs / action.previewTeardown.wallMs;
const thirdRatio = action.thirdRelease.wallMs / action.blueGreen.wallMs;
const peakMb = Math.max(...rows.map((row) => row.action.peakMb));

const targets: Target[] = [
  {
    target: `a run with nothing to change, all phases, takes at most ${TARGETS.noChangeShare * 100}% of the script's wall time`,
    measured: `${(share * 100).toFixed(0)}% (${(noChange.wallMs / 1000).toFixed(2)} s against ${(script.noChange.wallMs / 1000).toFixed(2)} s)`,
    met: share <= TARGETS.noChangeShare,
    ...(changeSets.length > 0
      ? {
          note:
            `it made a change set for ${changeSets.join(', ')}, whose first look comes after a second` +
            (moto ? ": moto reports the image's SSM parameter by the image id it resolved instead of its name, so the parameters never match and only a change set can compare the stack; on AWS the action compares the value resolved with what SSM holds now, without a change set" : ''),
        }
      : {}),
  },
  {
    target: "that run checks its stacks side by side: its sequential round trips are no more than the deepest stack's own",
    measured: `${noChange.roundTrips} round trips; the deepest stack's own: ${deepestRoundTrips} (${deepest})`,
    met: noChange.roundTrips <= deepestRoundTrips,
    note: `${noChange.roundTrips <= deepestRoundTrips ? '' : 'the environment stacks are checked side by side, but the application stack can only be compared once its certificate and image are known, so its check waits for the zone and certificate lookups, then reads the records; '}the longest chain: ${chainText(noChange.timeline)}`,
  },
  {
    target: `a rollback to a warm release makes at most ${TARGETS.rollbackRequests} requests before its traffic change (the run's lock included)`,
    measured: rollbackText(rollback),
    met: rollback.changed && rollback.before.length <= TARGETS.rollbackRequests,
  },
  {
    target: `the same, in an account of ${UNRELATED_STACKS} more stacks`,
    measured: rollbackText(rollbackCrowded),
    met: rollbackCrowded.changed && rollbackCrowded.before.length <= TARGETS.rollbackRequests,
  },
  {
    target: `a run with nothing to change, in an account of ${UNRELATED_STACKS} more stacks, takes at most ${TARGETS.noChangeShare * 100}% of the script's wall time, with no more requests than the script`,
    measured: `${(crowdedShare * 100).toFixed(0)}% (${(crowded.wallMs / 1000).toFixed(2)} s against ${(script.noChange.wallMs / 1000).toFixed(2)} s); ${crowded.requests} requests against ${script.noChange.requests}`,
    met: crowdedShare <= TARGETS.noChangeShare && crowded.requests <= script.noChange.requests,
    note: `the script's run is the one with nothing to change above (its requests do not depend on the account); the longest chain: ${chainText(crowded.timeline)}`,
  },
  {
    target: `a run that finds ${EXPIRED_PREVIEWS} expired previews removes them within ${TARGETS.sweepTeardowns} times the wall time of one preview teardown, with at most ${TARGETS.sweepListings} account listings`,
    measured: `${sweepRatio.toFixed(2)} times (${(action.previewSweep.wallMs / 1000).toFixed(2)} s against ${(action.previewTeardown.wallMs / 1000).toFixed(2)} s), ${action.previewSweep.requests} requests, ${listings.length} listing${listings.length === 1 ? '' : 's'} of the account${listings.length > 0 ? ` (${listings.map(operationName).join(', ')})` : ''}, ${tagQueries.length} queries of the tag index (one by the sweep, for the application's stacks; the others by the deploy itself, for its environment's releases)`,
    met: sweepRatio <= TARGETS.sweepTeardowns && listings.length <= TARGETS.sweepListings,
    note: 'the run is a whole staging deploy of a push (its own work included), made with the action\'s clock eight days ahead so that the previews the bench made just before are past preview-ttl',
  },
  {
    target: `the third blue-green release takes at most ${TARGETS.thirdReleaseRatio} times the second's wall time`,
    measured: `${thirdRatio.toFixed(2)} (${(action.thirdRelease.wallMs / 1000).toFixed(2)} s against ${(action.blueGreen.wallMs / 1000).toFixed(2)} s)`,
    met: thirdRatio <= TARGETS.thirdReleaseRatio,
  },
  {
    target: `cold start, dist/index.js to its first AWS request, under ${TARGETS.coldStartMs} ms`,
    measured: `${start.firstRequestMs.toFixed(0)} ms`,
    met: start.firstRequestMs < TARGETS.coldStartMs,
  },
  {
    target: `cold start to the first AWS request at most ${TARGETS.coldStartRatio} times a minimal action's (\`@actions/core\` and one SDK client, bundled the same way)`,
    measured: `${start.ratio.toFixed(2)} (${start.firstRequestMs.toFixed(0)} ms against ${start.minimalFirstRequestMs.toFixed(0)} ms, medians of ${start.runs} alternated runs)`,
    met: start.ratio <= TARGETS.coldStartRatio,
  },
  {
    target: `\`dist/\`, every file, at most ${TARGETS.distBytes / 1_000_000} MB (${TARGETS.distBytes} bytes)`,
    measured: `${start.distBytes} bytes`,
    met: start.distBytes <= TARGETS.distBytes,
  },
  {
    target: `peak memory of the action under ${TARGETS.peakMb} MB`,
    measured: `${peakMb.toFixed(0)} MB (largest of the scenarios)`,
    met: peakMb < TARGETS.peakMb,
  },
];

const report: BenchReport = {
  date: new Date().toISOString().slice(0, 10),
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown CPU', memoryGb: totalmem() / 1024 ** 3, node: process.version },
  endpoint: url,
  latencyMs,
  warmUp:
    `Before anything was timed, the zone's wildcard certificate was issued (moto holds a new certificate PENDING_VALIDATION for a minute; ${warmUpSeconds.toFixed(0)} s here, while the cold start was measured) ` +
    'and CloudFormation answered once in each account. One run of each scenario, in the order of the table, each on the state the one before left. ' +
    `Untimed between them: each environment's deploy once more after its first (the first run after a creation sets the group's size free once), production's first release, the preview that is then closed, and, through the SDK, ${EXPIRED_PREVIEWS} previews as their deploys leave them and ${UNRELATED_STACKS} stacks of another team.`,
  scenarios: rows,
  coldStart: start,
  targets,
  notes: [
    'Wall time: from spawning `dist/index.js` to its exit (the runner\'s view, cold start included); for the script, from its first command to the end of its last. Peak memory: the action process\'s maximum resident set.',
    'Round trips: the longest chain of requests in which each one started only after the one before it was answered. No run can take less than that many times the added latency; requests sent side by side count once.',
    'The emulator answers at once where AWS takes seconds or minutes: stacks are complete when CreateStack returns, an empty change set fails immediately. The action looks at a stack a second after starting it, so each stack it waits for costs it about a second here; change sets, the action through the SDK\'s waiter and the CLI through its own, are looked at once (on AWS the CLI\'s waiters then look every 30 s for stacks, every 5 s for change sets). The requests and round trips say more than the wall time.',
    'Each command of the script is a new AWS CLI process, about half a second of CPU before its first request: most of the script\'s wall time here.',
    ...(moto ? [MOTO_NOTE] : []),
    'The GitHub API is not part of these runs: the action runs without a token, as in a fork, and makes no deployment or comment.',
  ],
};

// Every request of every scenario, for whoever wants to see where the time went.
if (process.env.BENCH_TIMELINE_FILE) {
  const timelines = Object.fromEntries(names.map((name) => [name, { action: action[name].timeline.map((request) => ({ ...request, name: operationName(request) })), script: (scriptOf(name)?.timeline ?? []).map((request) => ({ ...request, name: operationName(request) })) }]));
  await writeFile(process.env.BENCH_TIMELINE_FILE, JSON.stringify(timelines, null, 1));
}

const section = renderReport(report);
const readmePath = repositoryFile('README.md');
await writeFile(readmePath, withBenchSection(await readFile(readmePath, 'utf8'), section));
console.log(section);
log(`README.md bench section rewritten (${(performance.now() / 1000).toFixed(0)} s in all).`);
