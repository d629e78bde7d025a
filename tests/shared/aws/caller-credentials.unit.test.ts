/** callerCredentialsOr: the chain's answer when it has one, the fallback only when it has none. */
import { callerCredentialsOr } from '../../../shared/aws/caller-credentials';

const FALLBACK = { accessKeyId: 'local', secretAccessKey: 'local' };
const noCredentials = () =>
  Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

describe('callerCredentialsOr', () => {
  test("the chain's credentials win when it yields some", async () => {
    const provider = callerCredentialsOr(FALLBACK, async () => ({ accessKeyId: 'AKIDCALLER', secretAccessKey: 's' }));
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'AKIDCALLER' });
  });

  test('the fallback only when the chain yields none', async () => {
    await expect(
      callerCredentialsOr(FALLBACK, async () => {
        throw noCredentials();
      })(),
    ).resolves.toEqual(FALLBACK);
  });

  test('any other failure of the chain (a broken profile) is not hidden behind dummies', async () => {
    const provider = callerCredentialsOr(FALLBACK, async () => {
      throw Object.assign(new Error('profile x is malformed'), { name: 'SyntaxError' });
    });
    await expect(provider()).rejects.toThrow('profile x is malformed');
  });

  test('the chain is asked once per provider, not once per request', async () => {
    const chain = jest.fn(async () => ({ accessKeyId: 'AKIDCALLER', secretAccessKey: 's' }));
    const provider = callerCredentialsOr(FALLBACK, chain);
    await provider();
    await provider();
    expect(chain).toHaveBeenCalledTimes(1);
  });
});
