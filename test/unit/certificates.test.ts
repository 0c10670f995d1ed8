import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand, RequestCertificateCommand, type CertificateDetail } from '@aws-sdk/client-acm';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { createCertificates, idempotencyToken } from '../../src/aws/certificates.js';
import { fakeClock, QUICK, START } from './stacks-support.js';
import { answersInTurn } from '../support/sent-inputs.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const acmClient = new ACMClient({ region: 'eu-west-1', credentials });
const route53Client = new Route53Client({ region: 'us-east-1', credentials });
const acm = mockClient(acmClient);
const route53 = mockClient(route53Client);
beforeEach(() => {
  acm.reset();
  route53.reset();
});

const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const OTHER = 'arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000';
const HOUR = 3600 * 1000;
const LISTED = { CertificateStatuses: ['ISSUED', 'PENDING_VALIDATION'] };
const RECORD = { Name: '_3f1e2d.example.com.', Type: 'CNAME' as const, Value: '_9a8b7c.acm-validations.aws.' };

function pending(records: boolean): CertificateDetail {
  const option = (name: string) => ({ DomainName: name, ValidationMethod: 'DNS' as const, ValidationStatus: 'PENDING_VALIDATION' as const, ...(records ? { ResourceRecord: RECORD } : {}) });
  return { CertificateArn: ARN, Status: 'PENDING_VALIDATION', DomainValidationOptions: [option('*.example.com'), option('example.com')] };
}

/** Issued: both names validated. */
const issued = (): CertificateDetail => ({ ...pending(true), Status: 'ISSUED', DomainValidationOptions: pending(true).DomainValidationOptions!.map((option) => ({ ...option, ValidationStatus: 'SUCCESS' })) });

const certificates = () => createCertificates(acmClient, route53Client, fakeClock(), QUICK);
const WITHIN_AN_HOUR = { deadline: START + HOUR };

describe('ensureWildcard', () => {
  test("finds an issued certificate without waiting for the zone's id, which only a validation needs", async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: '*.example.com', SubjectAlternativeNameSummaries: ['*.example.com', 'example.com'], Status: 'ISSUED' }] });
    const zoneStillLookedUp = new Promise<string>(() => undefined);

    assert.equal(await certificates().ensureWildcard('example.com', zoneStillLookedUp, WITHIN_AN_HOUR), ARN);
  });

  test('describes a certificate for the zone whose summary leaves its other names out, and uses it instead of asking for another', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [
      { CertificateArn: ARN, DomainName: '*.example.com', Status: 'ISSUED' },
      { CertificateArn: OTHER, DomainName: '*.example.org', Status: 'ISSUED' },
    ] });
    acm.on(DescribeCertificateCommand, { CertificateArn: ARN }).resolves({ Certificate: { ...issued(), DomainName: '*.example.com', SubjectAlternativeNames: ['*.example.com', 'example.com'] } });

    assert.equal(await certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR), ARN);

    assert.deepEqual(acm.commandCalls(DescribeCertificateCommand).map((call) => call.args[0].input), [{ CertificateArn: ARN }]);
    assert.equal(acm.commandCalls(RequestCertificateCommand).length, 0);
  });

  test("keeps the certificate the load balancer has while it is issued and covers the zone: one description, and the account's certificates are not listed", async () => {
    acm.on(DescribeCertificateCommand, { CertificateArn: ARN }).resolves({ Certificate: { ...issued(), DomainName: '*.example.com', SubjectAlternativeNames: ['*.example.com', 'example.com'] } });

    assert.equal(await certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR, Promise.resolve(ARN)), ARN);

    assert.equal(acm.commandCalls(ListCertificatesCommand).length, 0);
    assert.equal(acm.commandCalls(DescribeCertificateCommand).length, 1);
  });

  test('a certificate in use that is no longer issued, covers another zone, is gone or cannot be read is not kept: the zone gets an issued certificate as on a first deploy', async () => {
    const inUse: [string, (on: ReturnType<typeof acm.on>) => void][] = [
      ['expired', (on) => on.resolves({ Certificate: { ...issued(), CertificateArn: OTHER, Status: 'EXPIRED', DomainName: '*.example.com', SubjectAlternativeNames: ['*.example.com', 'example.com'] } })],
      ['of another zone', (on) => on.resolves({ Certificate: { ...issued(), CertificateArn: OTHER, DomainName: '*.example.org', SubjectAlternativeNames: ['*.example.org', 'example.org'] } })],
      ['deleted', (on) => on.rejects(Object.assign(new Error('Could not find certificate'), { name: 'ResourceNotFoundException' }))],
    ];
    for (const [what, answer] of inUse) {
      acm.reset();
      acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: '*.example.com', SubjectAlternativeNameSummaries: ['*.example.com', 'example.com'], Status: 'ISSUED' }] });
      answer(acm.on(DescribeCertificateCommand, { CertificateArn: OTHER }));

      assert.equal(await certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR, Promise.resolve(OTHER)), ARN, what);
    }
    acm.reset();
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: '*.example.com', SubjectAlternativeNameSummaries: ['*.example.com', 'example.com'], Status: 'ISSUED' }] });
    assert.equal(await certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR, Promise.reject(new Error('stack unreadable'))), ARN, 'the stack could not be read');
  });

  test('a summary that lists every name needs no description', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: '*.example.com', SubjectAlternativeNameSummaries: ['*.example.com', 'example.com'], HasAdditionalSubjectAlternativeNames: false, Status: 'ISSUED' }] });

    assert.equal(await certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR), ARN);

    assert.equal(acm.commandCalls(DescribeCertificateCommand).length, 0);
  });

  test('returns an issued certificate for *.zone and zone, reading every page, preferring it to a pending one', async () => {
    const sent = answersInTurn(acm.on(ListCertificatesCommand), [
      {
        NextToken: 'page-2',
        CertificateSummaryList: [
          { CertificateArn: OTHER, DomainName: '*.example.com', SubjectAlternativeNameSummaries: ['*.example.com', 'example.com'], Status: 'PENDING_VALIDATION' },
          { CertificateArn: 'arn:no-apex', DomainName: '*.example.com', SubjectAlternativeNameSummaries: ['*.example.com'], Status: 'ISSUED' },
          { CertificateArn: 'arn:other-zone', DomainName: '*.example.org', SubjectAlternativeNameSummaries: ['*.example.org', 'example.org'], Status: 'ISSUED' },
        ],
      },
      { CertificateSummaryList: [{ CertificateArn: ARN, DomainName: 'example.com', SubjectAlternativeNameSummaries: ['example.com', '*.example.com'], Status: 'ISSUED' }] },
    ]);

    assert.equal(await certificates().ensureWildcard('Example.com.', ZONE_ID, WITHIN_AN_HOUR), ARN);
    assert.deepEqual(sent, [LISTED, { ...LISTED, NextToken: 'page-2' }]);
    assert.equal(acm.commandCalls(RequestCertificateCommand).length + acm.commandCalls(DescribeCertificateCommand).length + route53.calls().length, 0);
  });

  test('requests one when none exists, writes its validation record once for both names, and waits until it is issued', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm
      .on(DescribeCertificateCommand)
      .resolvesOnce({ Certificate: pending(false) })
      .resolvesOnce({ Certificate: pending(true) })
      .resolvesOnce({ Certificate: pending(true) })
      .resolves({ Certificate: issued() });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(START) } });
    assert.equal(await certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR), ARN);

    assert.deepEqual(acm.commandCalls(RequestCertificateCommand).map((call) => call.args[0].input), [
      {
        DomainName: '*.example.com',
        SubjectAlternativeNames: ['example.com'],
        ValidationMethod: 'DNS',
        IdempotencyToken: idempotencyToken('example.com'),
        Tags: [{ Key: 'wimpy:application', Value: 'wimpy' }],
      },
    ]);
    // The records appear on the second look; the certificate is issued on the fourth.
    assert.deepEqual(acm.commandCalls(DescribeCertificateCommand).map((call) => call.args[0].input), Array(4).fill({ CertificateArn: ARN }));
    assert.deepEqual(route53.commandCalls(ChangeResourceRecordSetsCommand).map((call) => call.args[0].input), [
      {
        HostedZoneId: ZONE_ID,
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: RECORD.Name, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: RECORD.Value }] } }] },
      },
    ]);
  });

  test('validates a pending certificate it finds instead of requesting another', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: '*.example.com', SubjectAlternativeNameSummaries: ['*.example.com', 'example.com'], Status: 'PENDING_VALIDATION' }] });
    acm.on(DescribeCertificateCommand).resolvesOnce({ Certificate: pending(true) }).resolves({ Certificate: issued() });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(START) } });

    assert.equal(await certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR), ARN);
    assert.equal(acm.commandCalls(RequestCertificateCommand).length, 0);
    assert.equal(route53.commandCalls(ChangeResourceRecordSetsCommand).length, 1);
  });

  test('fails with ACM’s reason when validation fails or times out', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(DescribeCertificateCommand).resolvesOnce({ Certificate: { ...pending(true), Status: 'FAILED', FailureReason: 'CAA_ERROR' } }).resolves({ Certificate: { ...pending(true), Status: 'VALIDATION_TIMED_OUT' } });

    await assert.rejects(certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR), { message: `The certificate for *.example.com is FAILED (CAA_ERROR): ${ARN}. Check that example.com is delegated to its Route 53 zone and that no CAA record forbids Amazon.` });
    await assert.rejects(certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR), /is VALIDATION_TIMED_OUT: /);
  });

  test('stops at the deadline, saying the certificate is still pending', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: pending(true) });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(START) } });

    await assert.rejects(certificates().ensureWildcard('example.com', ZONE_ID, { deadline: START + 20 }), {
      message: `The certificate for *.example.com was not issued by the deadline: ${ARN} is still PENDING_VALIDATION with its validation records in place. Run again to keep waiting.`,
    });
    assert.equal(route53.commandCalls(ChangeResourceRecordSetsCommand).length, 1);
  });

  test('stops waiting when the run is cancelled, naming the certificate still pending', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    const cancel = new AbortController();
    acm.on(DescribeCertificateCommand).callsFake(() => {
      cancel.abort();
      return { Certificate: pending(false) };
    });
    await assert.rejects(certificates().ensureWildcard('example.com', ZONE_ID, { deadline: START + HOUR, signal: cancel.signal }), {
      message: `The run was cancelled while the certificate for *.example.com was PENDING_VALIDATION: ${ARN}. Run again to keep waiting.`,
    });
    assert.equal(route53.commandCalls(ChangeResourceRecordSetsCommand).length, 0);
  });

  test('fails with ACM’s reason when the certificate fails while it waits for validation', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    const failed: CertificateDetail = { ...pending(true), Status: 'FAILED', FailureReason: 'CAA_ERROR', DomainValidationOptions: pending(true).DomainValidationOptions!.map((option) => ({ ...option, ValidationStatus: 'FAILED' })) };
    acm.on(DescribeCertificateCommand).resolvesOnce({ Certificate: pending(true) }).resolves({ Certificate: failed });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(START) } });
    await assert.rejects(certificates().ensureWildcard('example.com', ZONE_ID, WITHIN_AN_HOUR), { message: `The certificate for *.example.com is FAILED (CAA_ERROR): ${ARN}. Check that example.com is delegated to its Route 53 zone and that no CAA record forbids Amazon.` });
  });
});

describe('idempotencyToken', () => {
  test('is at most 32 letters and digits, the same for the same zone however it is written, and differs between zones', () => {
    const token = idempotencyToken('example.com');
    assert.match(token, /^[A-Za-z0-9]{1,32}$/);
    assert.equal(idempotencyToken('Example.COM.'), token);
    assert.notEqual(idempotencyToken('example.org'), token);
  });
});
