import { systemClock } from '../../core/clock';
import { signingKeys } from '../../core/signing-keys';
import { keyVaultFromEnv } from '../key-vault-setup';
import { type Command, parse, projectRoot, STORE_HELP, withStore } from './command';

export const rotateKeysCommand: Command = {
  usage: 'gatehouse rotate-keys',
  summary: 'make a new signing key; older keys leave the JWKS once their tokens have expired',
  help: `Generates a new RS256 signing key and publishes it in the JWKS at once; it starts signing ten
minutes later, so every JWKS cache (API Gateway's JWT authorizer, jose's remote key sets) holds it
first, and every instance signs with it within five minutes after that. Each older key gets an
expiry: it stays in the store and the JWKS until every token it may still sign has expired (ten
minutes + five minutes + AUTH_ACCESS_TOKEN_TTL + one minute), then it is gone. The stack runs the
same rotation on a schedule (every 30 days by default).
${STORE_HELP}`,
  async run(args, io) {
    parse(args);
    const result = await withStore(io, (store, config) => {
      const keys = keyVaultFromEnv(io.env, systemClock, projectRoot(io.cwd));
      io.err(`Secrets sealed with ${keys.label}`);
      return signingKeys({ store, clock: systemClock, vault: keys.vault }).rotate(config.accessTokenTtl);
    });
    io.out(`New signing key ${result.kid}: in the JWKS now, signing from ${new Date(result.activatesAt).toISOString()}`);
    for (const old of result.retiring) io.out(`Key ${old.kid} leaves the JWKS at ${new Date(old.expiresAt).toISOString()}`);
    return 0;
  },
};
