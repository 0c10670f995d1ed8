import {
  DescribeCertificateCommand,
  paginateListCertificates,
  RequestCertificateCommand,
  waitUntilCertificateValidated,
  type ACMClient,
  type CertificateDetail,
  type CertificateSummary,
} from '@aws-sdk/client-acm';
import { ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { checkExceptions, createWaiter, WaiterState } from '@smithy/core/client';
import { digest, TAG_APPLICATION } from '../config/names.js';
import type { Clock, WaitLimits } from '../engine/ports.js';
import { waiterReason, withinLimits, type StopReason, type WaiterDelays } from './waiters.js';

/**
 * One wildcard certificate per hosted zone, `*.zone` plus `zone`, shared by every application
 * and environment of the account in that zone (every hostname is one label under the zone).
 * It is ensured here through the API rather than in the base stack: a base stack update for
 * each new zone would serialise the deploys of unrelated applications behind it, and a
 * certificate found already issued costs one read.
 */
export interface Certificates {
  /**
   * The ARN of an issued wildcard certificate for the zone, requested and validated within
   * `limits` if need be. The zone's id is awaited only to write validation records: the lookup
   * need not wait for it. `inUse`: the certificate the zone's listener has now, kept while it
   * is issued and covers the zone.
   */
  ensureWildcard(zone: string, zoneId: string | Promise<string>, limits: WaitLimits, inUse?: Promise<string | undefined>): Promise<string>;
}

/**
 * The SDK waiters' pauses, in seconds: ACM lists the validation records seconds after the
 * request and issues the certificate a few minutes after they resolve (the ACM waiter's own
 * default, a minute at least, would add most of a minute to a first deploy).
 */
export const VALIDATION_WAIT: WaiterDelays = { minDelay: 5, maxDelay: 30 };
const VALIDATION_TTL = 300;

function bare(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The same zone always gets the same token, so a request repeated after a crash returns the same certificate. */
export function idempotencyToken(zone: string): string {
  return `wimpy${digest(bare(zone), 27)}`;
}

function covers(names: readonly string[], zone: string): boolean {
  const bareNames = new Set(names.map(bare));
  return bareNames.has(`*.${zone}`) && bareNames.has(zone);
}

/** The names a certificate's summary lists: its domain and the alternative names it shows. */
const listedNames = (summary: CertificateSummary) => [summary.DomainName ?? '', ...(summary.SubjectAlternativeNameSummaries ?? [])];

function coversZone(summary: CertificateSummary, zone: string): boolean {
  return covers(listedNames(summary), zone);
}

/**
 * A certificate for the zone whose summary may not list all its names: ACM lists at most 100
 * alternative names in a summary (HasAdditionalSubjectAlternativeNames), and a summary without
 * the list says nothing of them. Its description tells whether it covers the zone.
 */
function partlyListed(summary: CertificateSummary, zone: string): boolean {
  const names = listedNames(summary).map(bare);
  return (names.includes(`*.${zone}`) || names.includes(zone)) && (summary.HasAdditionalSubjectAlternativeNames === true || summary.SubjectAlternativeNameSummaries === undefined);
}

/**
 * A waiter, built as the SDK builds its own, until ACM lists the certificate's DNS validation
 * records, or the certificate has left PENDING_VALIDATION: the SDK has no waiter for that.
 */
async function waitUntilRecordsListed(params: { client: ACMClient; maxWaitTime: number } & Partial<WaiterDelays> & { abortSignal?: AbortSignal }, input: { CertificateArn: string }) {
  const listed = async (client: ACMClient, request: { CertificateArn: string }) => {
    try {
      const certificate = (await client.send(new DescribeCertificateCommand(request))).Certificate ?? {};
      const options = certificate.DomainValidationOptions ?? [];
      const ready = certificate.Status !== 'PENDING_VALIDATION' || (options.length > 0 && options.every((option) => option.ResourceRecord));
      return { state: ready ? WaiterState.SUCCESS : WaiterState.RETRY, reason: certificate };
    } catch (error) {
      return { state: (error as Error).name === 'ResourceNotFoundException' ? WaiterState.FAILURE : WaiterState.RETRY, reason: error };
    }
  };
  return checkExceptions(await createWaiter({ ...VALIDATION_WAIT, ...params }, input, listed));
}

export function createCertificates(acm: ACMClient, route53: Route53Client, clock: Clock, delays: WaiterDelays = VALIDATION_WAIT): Certificates {
  async function find(zone: string, signal?: AbortSignal): Promise<CertificateSummary | undefined> {
    const matches: CertificateSummary[] = [];
    const unsure: CertificateSummary[] = [];
    for await (const page of paginateListCertificates({ client: acm }, { CertificateStatuses: ['ISSUED', 'PENDING_VALIDATION'] }, { abortSignal: signal })) {
      for (const summary of page.CertificateSummaryList ?? []) {
        if (coversZone(summary, zone)) matches.push(summary);
        else if (partlyListed(summary, zone) && summary.CertificateArn) unsure.push(summary);
      }
    }
    if (!matches.some((summary) => summary.Status === 'ISSUED') && unsure.length > 0) {
      // Described side by side before a new certificate is asked for: one the account has is used.
      const details = await Promise.all(unsure.map(async (summary) => (await acm.send(new DescribeCertificateCommand({ CertificateArn: summary.CertificateArn }), { abortSignal: signal })).Certificate));
      for (const detail of details) {
        if (detail?.CertificateArn && covers([detail.DomainName ?? '', ...(detail.SubjectAlternativeNames ?? [])], zone)) matches.push({ CertificateArn: detail.CertificateArn, ...(detail.Status ? { Status: detail.Status } : {}) });
      }
    }
    return matches.find((summary) => summary.Status === 'ISSUED') ?? matches[0];
  }

  /**
   * The certificate in use, read by its ARN: one request, however many certificates the account
   * holds, where the listing pages through all of them (and, on an emulator that lists no
   * alternative names, describes them too). Kept only while issued and covering the zone;
   * anything else, a certificate deleted or one that cannot be read, leaves the choice to `find`.
   */
  async function stillGood(arn: string | undefined, zone: string, signal?: AbortSignal): Promise<string | undefined> {
    if (!arn) return undefined;
    try {
      const detail = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }), { abortSignal: signal })).Certificate;
      return detail?.Status === 'ISSUED' && covers([detail.DomainName ?? '', ...(detail.SubjectAlternativeNames ?? [])], zone) ? arn : undefined;
    } catch {
      return undefined;
    }
  }

  async function request(zone: string, signal?: AbortSignal): Promise<string> {
    const result = await acm.send(new RequestCertificateCommand({
      DomainName: `*.${zone}`,
      SubjectAlternativeNames: [zone],
      ValidationMethod: 'DNS',
      IdempotencyToken: idempotencyToken(zone),
      Tags: [{ Key: TAG_APPLICATION, Value: 'wimpy' }],
    }), { abortSignal: signal });
    return result.CertificateArn!;
  }

  /** The wildcard and the apex share one validation record: each distinct record is written once. */
  async function writeValidation(zoneId: string, certificate: CertificateDetail, signal?: AbortSignal): Promise<void> {
    const records = new Map((certificate.DomainValidationOptions ?? []).map((option) => [option.ResourceRecord!.Name!, option.ResourceRecord!]));
    await route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [...records.values()].map((record) => ({
          Action: 'UPSERT',
          ResourceRecordSet: { Name: record.Name, Type: record.Type, TTL: VALIDATION_TTL, ResourceRecords: [{ Value: record.Value }] },
        })),
      },
    }), { abortSignal: signal });
  }

  /** The sentence for a certificate ACM will not issue: what it says, and what usually causes it. */
  function refused(name: string, arn: string, certificate: CertificateDetail): Error {
    const why = certificate.FailureReason ? ` (${certificate.FailureReason})` : '';
    return new Error(`The certificate for *.${name} is ${certificate.Status ?? 'unknown'}${why}: ${arn}. Check that ${name} is delegated to its Route 53 zone and that no CAA record forbids Amazon.`);
  }

  return {
    async ensureWildcard(zone, zoneId, limits, inUse) {
      const name = bare(zone);
      const kept = await stillGood(await inUse?.catch(() => undefined), name, limits.signal);
      if (kept) return kept;
      const found = await find(name, limits.signal);
      if (found?.Status === 'ISSUED') return found.CertificateArn!;
      const arn = found?.CertificateArn ?? (await request(name, limits.signal));
      let written = false;
      const stopped = (stop: StopReason) =>
        new Error(stop === 'deadline'
          ? `The certificate for *.${name} was not issued by the deadline: ${arn} is still PENDING_VALIDATION${written ? ' with its validation records in place' : ''}. Run again to keep waiting.`
          : `The run was cancelled while the certificate for *.${name} was PENDING_VALIDATION: ${arn}. Run again to keep waiting.`);
      const input = { CertificateArn: arn };

      // ACM fills in the validation records a few seconds after the request.
      const listed = (await withinLimits(clock, limits, delays, (settings) => waitUntilRecordsListed({ client: acm, ...settings }, input), stopped)).reason as CertificateDetail;
      if (listed.Status === 'ISSUED') return arn;
      if (listed.Status !== 'PENDING_VALIDATION') throw refused(name, arn, listed);
      await writeValidation(await zoneId, listed, limits.signal);
      written = true;
      try {
        await withinLimits(clock, limits, delays, (settings) => waitUntilCertificateValidated({ client: acm, ...settings }, input), stopped);
        return arn;
      } catch (error) {
        // The waiter fails on a FAILED certificate, and its error carries ACM's last answer.
        const last = waiterReason(error) as { Certificate?: CertificateDetail } | undefined;
        if (last?.Certificate?.Status) throw refused(name, arn, last.Certificate);
        throw error;
      }
    },
  };
}
