import { systemClock } from '../../core/clock';
import { signingKeys } from '../../core/signing-keys';
import { type Command, parse, STORE_HELP, withStore } from './command';

export const rotateKeysCommand: Command = {
  usage: 'gatehouse rotate-keys',
  summary: 'make a new signing key; older keys leave the JWKS once their tokens have expired',
  help: `Generates a new RS256 signing key, which every instance signs with within five minutes.
Each older key gets an expiry: it stays in the store and the JWKS until every token it may
still sign has expired (five minutes + AUTH_ACCESS_TOKEN_TTL + one minute), then it is gone.
${STORE_HELP}`,
  async run(args, io) {
    parse(args);
    const result = await withStore(io, (store, config) => signingKeys({ store, clock: systemClock }).rotate(config.accessTokenTtl));
    io.out(`New signing key ${result.kid}`);
    for (const old of result.retiring) io.out(`Key ${old.kid} leaves the JWKS at ${new Date(old.expiresAt).toISOString()}`);
    return 0;
  },
};
