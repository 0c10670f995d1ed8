import {
  DescribeCertificateCommand,
  paginateListCertificates,
  RequestCertificateCommand,
  type ACMClient,
  type CertificateDetail,
  type CertificateSummary,
} from '@aws-sdk/client-acm';
import { ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { digest, TAG_APPLICATION } from '../config/names.js';
import type { Clock } from '../engine/ports.js';

/**
 * One wildcard certificate per hosted zone, `*.zone` plus `zone`, shared by every application
 * and environment of the account in that zone (every hostname is one label under the zone).
 * It is ensured here through the API rather than in the base stack: a base stack update for
 * each new zone would serialise the deploys of unrelated applications behind it, and a
 * certificate found already issued costs one read.
 */
export interface Certificates {
  /**
   * The ARN of an issued wildcard certificate for the zone, requested and validated if need be.
   * The zone's id is awaited only to write validation records: the lookup need not wait for it.
   */
  ensureWildcard(zone: string, zoneId: string | Promise<string>, deadline: number): Promise<string>;
}

const POLL_MS = 5000;
const VALIDATION_TTL = 300;

function bare(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The same zone always gets the same token, so a request repeated after a crash returns the same certificate. */
export function idempotencyToken(zone: string): string {
  return `wimpy${digest(bare(zone), 27)}`;
}

function coversZone(summary: CertificateSummary, zone: string): boolean {
  const names = new Set([summary.DomainName ?? '', ...(summary.SubjectAlternativeNameSummaries ?? [])].map(bare));
  return names.has(`*.${zone}`) && names.has(zone);
}

export function createCertificates(acm: ACMClient, route53: Route53Client, clock: Clock): Certificates {
  async function find(zone: string): Promise<CertificateSummary | undefined> {
    const matches: CertificateSummary[] = [];
    for await (const page of paginateListCertificates({ client: acm }, { CertificateStatuses: ['ISSUED', 'PENDING_VALIDATION'] })) {
      matches.push(...(page.CertificateSummaryList ?? []).filter((summary) => coversZone(summary, zone)));
    }
    return matches.find((summary) => summary.Status === 'ISSUED') ?? matches[0];
  }

  async function request(zone: string): Promise<string> {
    const result = await acm.send(new RequestCertificateCommand({
      DomainName: `*.${zone}`,
      SubjectAlternativeNames: [zone],
      ValidationMethod: 'DNS',
      IdempotencyToken: idempotencyToken(zone),
      Tags: [{ Key: TAG_APPLICATION, Value: 'wimpy' }],
    }));
    return result.CertificateArn!;
  }

  /** The wildcard and the apex share one validation record: each distinct record is written once. */
  async function writeValidation(zoneId: string, certificate: CertificateDetail): Promise<void> {
    const records = new Map((certificate.DomainValidationOptions ?? []).map((option) => [option.ResourceRecord!.Name!, option.ResourceRecord!]));
    await route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [...records.values()].map((record) => ({
          Action: 'UPSERT',
          ResourceRecordSet: { Name: record.Name, Type: record.Type, TTL: VALIDATION_TTL, ResourceRecords: [{ Value: record.Value }] },
        })),
      },
    }));
  }

  return {
    async ensureWildcard(zone, zoneId, deadline) {
      const name = bare(zone);
      const found = await find(name);
      if (found?.Status === 'ISSUED') return found.CertificateArn!;
      const arn = found?.CertificateArn ?? (await request(name));
      let written = false;
      for (;;) {
        const certificate = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate ?? {};
        if (certificate.Status === 'ISSUED') return arn;
        if (certificate.Status !== 'PENDING_VALIDATION') {
          const why = certificate.FailureReason ? ` (${certificate.FailureReason})` : '';
          throw new Error(`The certificate for *.${name} is ${certificate.Status ?? 'unknown'}${why}: ${arn}. Check that ${name} is delegated to its Route 53 zone and that no CAA record forbids Amazon.`);
        }
        // ACM fills in the validation records a few seconds after the request.
        const options = certificate.DomainValidationOptions ?? [];
        if (!written && options.length > 0 && options.every((option) => option.ResourceRecord)) {
          await writeValidation(await zoneId, certificate);
          written = true;
        }
        if (clock.now() + POLL_MS > deadline) {
          throw new Error(`The certificate for *.${name} was not issued by the deadline: ${arn} is still PENDING_VALIDATION${written ? ' with its validation records in place' : ''}. Run again to keep waiting.`);
        }
        await clock.sleep(POLL_MS);
      }
    },
  };
}
