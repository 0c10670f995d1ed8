import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
  paginateListHostedZones,
  ListResourceRecordSetsCommand,
  type Change,
  type ResourceRecordSet,
  type Route53Client,
  waitUntilResourceRecordSetsChanged,
} from '@aws-sdk/client-route-53';
import type { AliasTarget, Clock, Dns, HostedZone, HostRecords, WaitLimits, WeightedTarget } from '../engine/ports.js';
import { withinLimits, type WaiterDelays } from './waiters.js';

const ALIAS_TYPES = ['A', 'AAAA'] as const;
/**
 * The SDK waiter's pauses, in seconds: Route 53 usually propagates a change in well under a
 * minute, and a traffic step waits for it (the waiter's own default, 30 s, would double that).
 */
export const INSYNC_WAIT: WaiterDelays = { minDelay: 2, maxDelay: 10 };
/** Bounds a caller that gives no deadline. */
const DEFAULT_WAIT_MS = 10 * 60 * 1000;

/** Route 53 returns names lowercase and fully qualified; compare them that way. */
function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

export function createDns(route53: Route53Client, clock: Clock, delays: WaiterDelays = INSYNC_WAIT): Dns {
  /**
   * The alias records of each name as this run last read them: the removal of a name's alias
   * that follows its read (a teardown, under its lock) deletes them without reading them again.
   */
  const lastRead = new Map<string, ResourceRecordSet[]>();
  const readKey = (zoneId: string, hostname: string) => `${zoneId} ${fqdn(hostname)}`;

  /** The A/AAAA alias records of a name, weighted or plain, exactly as Route 53 holds them. */
  async function aliasRecords(zoneId: string, hostname: string, signal?: AbortSignal): Promise<ResourceRecordSet[]> {
    const sets = (await recordSets(zoneId, hostname, signal)).filter((set) => (ALIAS_TYPES as readonly string[]).includes(set.Type ?? '') && set.AliasTarget !== undefined);
    lastRead.set(readKey(zoneId, hostname), sets);
    return sets;
  }

  /** Every record set of a name, exactly as Route 53 holds them. */
  async function recordSets(zoneId: string, hostname: string, signal?: AbortSignal): Promise<ResourceRecordSet[]> {
    const name = fqdn(hostname);
    const found: ResourceRecordSet[] = [];
    let start: { StartRecordName: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string } = { StartRecordName: name };
    for (;;) {
      const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start }), { abortSignal: signal });
      const sets = page.ResourceRecordSets ?? [];
      const ofName = sets.filter((set) => fqdn(set.Name ?? '') === name);
      found.push(...ofName);
      // Records are listed in name order: the first record of another name ends the hostname's.
      if (ofName.length < sets.length || !page.IsTruncated || !page.NextRecordName || fqdn(page.NextRecordName) !== name) return found;
      start = {
        StartRecordName: page.NextRecordName,
        ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
        ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
      };
    }
  }

  /** The SDK's waiter until the change is INSYNC, within the run's deadline, stopped by its signal. */
  async function waitInSync(changeId: string, limits: WaitLimits): Promise<void> {
    await withinLimits(clock, limits, delays, (settings) => waitUntilResourceRecordSetsChanged({ client: route53, ...settings }, { Id: changeId }), (stop) =>
      new Error(stop === 'deadline'
        ? `Route 53 change ${changeId} was still PENDING at the deadline.`
        : `The run was cancelled while Route 53 change ${changeId} was PENDING: Route 53 applies it all the same.`),
    );
  }

  return {
    async zoneId(zone, signal) {
      const name = fqdn(zone);
      const page = await route53.send(new ListHostedZonesByNameCommand({ DNSName: name }), { abortSignal: signal });
      const zones = (page.HostedZones ?? []).filter((hosted) => fqdn(hosted.Name ?? '') === name && hosted.Config?.PrivateZone !== true);
      if (zones.length === 0) throw new Error(`This account has no public hosted zone named ${name}: create it in Route 53, or check the hosted-zone input.`);
      if (zones.length > 1) throw new Error(`This account has ${zones.length} public hosted zones named ${name}: keep only the one the domain is delegated to.`);
      return zones[0]!.Id!.replace(/^\/hostedzone\//, '');
    },

    async publicZones(signal) {
      const zones: HostedZone[] = [];
      for await (const page of paginateListHostedZones({ client: route53 }, {}, { abortSignal: signal })) {
        for (const zone of page.HostedZones ?? []) {
          if (zone.Config?.PrivateZone !== true) zones.push({ name: fqdn(zone.Name ?? '').replace(/\.$/, ''), id: zone.Id!.replace(/^\/hostedzone\//, '') });
        }
      }
      return zones;
    },

    recordsAt: async (zoneId, hostname, signal) => (await recordSets(zoneId, hostname, signal)).map((set) => ({
      type: set.Type ?? '',
      ...(set.AliasTarget?.DNSName ? { aliasTarget: set.AliasTarget.DNSName } : {}),
      values: (set.ResourceRecords ?? []).map((record) => record.Value ?? ''),
      ...(set.SetIdentifier !== undefined ? { setIdentifier: set.SetIdentifier } : {}),
    })),

    weights: async (zoneId, hostname, signal) => [...(await records(zoneId, hostname, signal)).weighted],

    records,

    async setAlias(zoneId, hostname, target, limits = { deadline: clock.now() + DEFAULT_WAIT_MS }) {
      // The weighted records go in the same batch as the plain records come: Route 53 answers
      // every query of the name from one or the other, never from neither.
      const held = await aliasRecords(zoneId, hostname, limits.signal);
      const weighted = held.filter((set) => set.SetIdentifier !== undefined);
      const plain = held.filter((set) => set.SetIdentifier === undefined);
      const wanted = { DNSName: fqdn(target.dnsName), HostedZoneId: target.hostedZoneId, EvaluateTargetHealth: false };
      if (weighted.length === 0 && ALIAS_TYPES.every((type) => plain.some((set) => set.Type === type && sameAlias(set, wanted)))) return;
      await change(zoneId, [
        ...weighted.map((set): Change => ({ Action: 'DELETE', ResourceRecordSet: set })),
        ...ALIAS_TYPES.map((type): Change => ({ Action: 'UPSERT', ResourceRecordSet: { Name: fqdn(hostname), Type: type, AliasTarget: wanted } })),
      ], limits);
    },

    async removeAlias(zoneId, hostname, limits = { deadline: clock.now() + DEFAULT_WAIT_MS }) {
      const plainOf = (sets: readonly ResourceRecordSet[]) => sets.filter((set) => set.SetIdentifier === undefined);
      const deleteAll = (plain: readonly ResourceRecordSet[]) => change(zoneId, plain.map((set): Change => ({ Action: 'DELETE', ResourceRecordSet: set })), limits);
      const remembered = plainOf(lastRead.get(readKey(zoneId, hostname)) ?? []);
      if (remembered.length > 0) {
        try {
          return await deleteAll(remembered);
        } catch (error) {
          // Route 53 deletes a record only as it is now: one changed since the read is read again.
          if ((error as Error).name !== 'InvalidChangeBatch') throw error;
        }
      }
      const plain = plainOf(await aliasRecords(zoneId, hostname, limits.signal));
      if (plain.length > 0) await deleteAll(plain);
    },

    async setWeights(zoneId, hostname, targets, remove = [], limits = { deadline: clock.now() + DEFAULT_WAIT_MS }) {
      const name = fqdn(hostname);
      const removed = new Set(remove.map((target) => target.setIdentifier));
      const both = targets.find((target) => removed.has(target.setIdentifier));
      if (both) throw new Error(`${both.setIdentifier} cannot both take a weight and be removed.`);
      const upserts = targets.flatMap((target) =>
        ALIAS_TYPES.map((type): Change => ({
          Action: 'UPSERT',
          ResourceRecordSet: {
            Name: name,
            Type: type,
            SetIdentifier: target.setIdentifier,
            Weight: target.weight,
            AliasTarget: { DNSName: fqdn(target.dnsName), HostedZoneId: target.hostedZoneId, EvaluateTargetHealth: true },
          },
        })),
      );
      // Route 53 deletes only a record given exactly as it is now, so the deletions are built
      // from what it holds, not from what the caller last read; one already gone is no error.
      const deletes = removed.size === 0 ? [] : (await aliasRecords(zoneId, name, limits.signal))
        .filter((set) => set.SetIdentifier !== undefined && removed.has(set.SetIdentifier))
        .map((set): Change => ({ Action: 'DELETE', ResourceRecordSet: set }));
      const changes = [...upserts, ...deletes];
      if (changes.length === 0) return;
      await change(zoneId, changes, limits);
    },
  };

  /** The weighted records of the name and its plain alias, from one listing. */
  async function records(zoneId: string, hostname: string, signal?: AbortSignal): Promise<HostRecords> {
    const bySet = new Map<string, WeightedTarget>();
    let alias: AliasTarget | undefined;
    for (const set of await aliasRecords(zoneId, hostname, signal)) {
      if (set.SetIdentifier === undefined) {
        if (set.Type === 'A') alias = { dnsName: set.AliasTarget!.DNSName!, hostedZoneId: set.AliasTarget!.HostedZoneId! };
        continue;
      }
      if (bySet.has(set.SetIdentifier)) continue;
      bySet.set(set.SetIdentifier, { setIdentifier: set.SetIdentifier, weight: set.Weight ?? 0, dnsName: set.AliasTarget!.DNSName!, hostedZoneId: set.AliasTarget!.HostedZoneId! });
    }
    return { weighted: [...bySet.values()], ...(alias ? { alias } : {}) };
  }

  /** One atomic change batch, waited for until INSYNC within the limits. */
  async function change(zoneId: string, changes: Change[], limits: WaitLimits): Promise<void> {
    // What was read of these names is no longer what Route 53 holds.
    for (const changed of changes) lastRead.delete(readKey(zoneId, changed.ResourceRecordSet?.Name ?? ''));
    const result = await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }), { abortSignal: limits.signal });
    const changeId = (result.ChangeInfo?.Id ?? '').replace(/^\/change\//, '');
    if (result.ChangeInfo?.Status !== 'INSYNC') await waitInSync(changeId, limits);
  }
}

function sameAlias(set: ResourceRecordSet, wanted: { DNSName: string; HostedZoneId: string }): boolean {
  return fqdn(set.AliasTarget?.DNSName ?? '') === wanted.DNSName && set.AliasTarget?.HostedZoneId === wanted.HostedZoneId;
}
