/**
 * What a mocked SDK client was sent, as it was at the moment of sending. The SDK's paginators
 * send every page with one input object whose token they set in place (to `undefined` for the
 * first page), so the inputs a mock records afterwards all show the last page's token.
 */

/** An input as it goes over the wire: keys left undefined are not sent. */
export function asSent<T>(input: T): T {
  return JSON.parse(JSON.stringify(input)) as T;
}

/** Answers the calls in turn (the last answer again once they run out), noting each input as sent. */
export function answersInTurn<I, O>(behaviour: { callsFake(fake: (input: I) => unknown): unknown }, answers: readonly O[]): I[] {
  const sent: I[] = [];
  behaviour.callsFake((input: I) => {
    sent.push(asSent(input));
    return Promise.resolve(answers[Math.min(sent.length, answers.length) - 1]);
  });
  return sent;
}
