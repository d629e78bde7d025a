/** bench/support/ledger-setup.ts byUser: each event goes to the database of its user, and only there. */
import { byUser, renderedEvents, userIndexOf, USERS } from '../../bench/support/ledger-setup';

test("every event of a user reaches the same database's processor, and the users are spread over all", async () => {
  const seen: Map<string, number>[] = [new Map(), new Map()];
  const process = byUser(
    seen.map((users) => async (event: ReturnType<typeof renderedEvents>[number]) => {
      users.set(event.detail.userId, (users.get(event.detail.userId) ?? 0) + 1);
    }),
  );
  const events = renderedEvents('u', 3 * USERS);
  for (const event of events) await process(event);
  const [first, second] = seen as [Map<string, number>, Map<string, number>];
  expect([...first.keys()].filter((user) => second.has(user))).toEqual([]);
  expect(first.size + second.size).toBe(USERS);
  expect(Math.abs(first.size - second.size)).toBeLessThanOrEqual(1);
  expect([...first.values(), ...second.values()].every((count) => count === 3)).toBe(true);
  expect(userIndexOf(events[USERS + 7]!)).toBe(7);
});
