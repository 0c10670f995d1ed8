/**
 * A stack's events, each delivered once. DescribeStackEvents answers newest first, a hundred a
 * page, for the stack's whole life; a poll reads pages only until it meets an event it has
 * already seen or one older than the operation, so a long-lived stack costs one request a poll.
 */
import { CloudFormationClient, DescribeStackEventsCommand, paginateDescribeStackEvents, type StackEvent as SdkStackEvent } from '@aws-sdk/client-cloudformation';
import type { StackEvent } from '../engine/ports.js';

export function toStackEvent(event: SdkStackEvent): StackEvent {
  return {
    id: event.EventId ?? `${event.LogicalResourceId}-${event.Timestamp?.toISOString()}`,
    stackName: event.StackName ?? '',
    logicalId: event.LogicalResourceId ?? '',
    type: event.ResourceType ?? '',
    status: event.ResourceStatus ?? event.HookStatus ?? '',
    ...(event.ResourceStatusReason ?? event.HookStatusReason ? { reason: event.ResourceStatusReason ?? event.HookStatusReason } : {}),
    timestamp: event.Timestamp ?? new Date(0),
  };
}

/** The newest page of a stack's events, newest first. */
export async function latestEvents(cloudformation: CloudFormationClient, stack: string, signal?: AbortSignal): Promise<StackEvent[]> {
  const page = await cloudformation.send(new DescribeStackEventsCommand({ StackName: stack }), { abortSignal: signal });
  return (page.StackEvents ?? []).map(toStackEvent);
}

export class EventStream {
  private readonly seen = new Set<string>();
  private readonly delivered: StackEvent[] = [];

  /**
   * @param stack the stack's id rather than its name where known: the id still answers once the
   *   stack is deleted, and never mixes in the events of an older stack of the same name.
   * @param since events before this moment (CloudFormation's clock) belong to earlier operations.
   */
  constructor(
    private readonly cloudformation: CloudFormationClient,
    private readonly stack: string,
    private readonly since?: Date,
    private readonly onEvent?: (event: StackEvent) => void,
  ) {}

  /** Marks the events that exist now as seen, for an operation whose start has no timestamp from CloudFormation. */
  async skipPast(signal?: AbortSignal): Promise<void> {
    for (const event of await latestEvents(this.cloudformation, this.stack, signal)) this.seen.add(event.id);
  }

  /** Fetches the events not seen yet and delivers them oldest first. */
  async poll(signal?: AbortSignal): Promise<readonly StackEvent[]> {
    const fresh: StackEvent[] = [];
    // A page can repeat an event when new ones arrive between two requests.
    const freshIds = new Set<string>();
    // Newest first: the pages stop at the first event seen before, or a page with nothing new.
    pages: for await (const page of paginateDescribeStackEvents({ client: this.cloudformation }, { StackName: this.stack }, { abortSignal: signal })) {
      const before = fresh.length;
      for (const raw of page.StackEvents ?? []) {
        const event = toStackEvent(raw);
        if (freshIds.has(event.id)) continue;
        if (this.seen.has(event.id) || (this.since && event.timestamp < this.since)) break pages;
        fresh.push(event);
        freshIds.add(event.id);
      }
      if (fresh.length === before) break;
    }
    fresh.reverse();
    for (const event of fresh) {
      this.seen.add(event.id);
      this.delivered.push(event);
      this.onEvent?.(event);
    }
    return fresh;
  }

  /** Every event delivered so far, oldest first. */
  get events(): readonly StackEvent[] {
    return this.delivered;
  }
}
