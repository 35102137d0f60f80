/**
 * What serverless.yml reads through `${file(./build-config.cjs):...}`, taken from `npm run build`'s
 * output so nothing here can drift from the code:
 *   routes     one httpApi event per entry of the API's route table (dist/lambda-asset/routes.json)
 *   artifacts  a zip of each deployable folder of dist/lambda-asset/ (written to .build/)
 *   cors       the HTTP API's CORS settings for the origins of the `corsOrigins` parameter
 *   environment  the variables every function gets; the issuer is the `issuer` parameter, else the
 *              HTTP API's URL (serverless-offline's address locally)
 *   apiEnvironment  those, what opens the sealed secrets (only the API holds it), and the web
 *              app and passkey parameters that are set (AUTH_APP_URL, AUTH_RP_ID, AUTH_RP_ORIGINS)
 *   sealing    what seals the API's secrets: the stack's KMS key when deployed; locally (offline) the
 *              key in AUTH_KEY_ENCRYPTION_KEY, which `npm run start:serverless` provides
 *   mail       how the API sends mail: SES from the `mailFrom` parameter (its links point to
 *              `appUrl`, set with the passkeys' parameters), and the one SES identity it may send
 *              from (`mailIdentity`, else the sender's address); locally the SES endpoint
 *              `npm run start:serverless` provides
 *   rotation   the schedule event that makes a new signing key (every `keyRotationDays` days)
 */
const { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } = require('node:fs');
const { join, relative } = require('node:path');
const archiver = require('archiver');

const ASSETS = join(__dirname, '..', 'dist', 'lambda-asset');
const OUT = join(__dirname, '.build');
const FUNCTIONS = ['api', 'authorizer'];

function requireBuilt(file) {
  if (!existsSync(file)) throw new Error(`Missing ${relative(join(__dirname, '..'), file)}: run "npm run build" in the project folder first`);
  return file;
}

function routes() {
  const table = JSON.parse(readFileSync(requireBuilt(join(ASSETS, 'routes.json')), 'utf8'));
  return table.map(({ method, path }) => ({ httpApi: { method, path } }));
}

/** Zips dist/lambda-asset/<name>/ (the bundle and its native packages) with the files at the root. */
function zip(name) {
  const dir = join(ASSETS, name);
  requireBuilt(join(dir, `${name}.mjs`));
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${name}.zip`);
  // Written aside and renamed into place, so a deploy or a serverless-offline already running
  // never reads half a zip.
  const partial = `${file}.${process.pid}.partial`;
  return new Promise((resolve, reject) => {
    const output = createWriteStream(partial);
    const archive = archiver('zip', { zlib: { level: 9 } });
    output.on('close', () => {
      renameSync(partial, file);
      resolve(relative(__dirname, file));
    });
    archive.on('error', reject);
    archive.pipe(output);
    // A fixed date keeps the zip, and so the deployed code hash, the same for the same build.
    archive.directory(dir, false, (entry) => ({ ...entry, date: new Date('2020-01-01T00:00:00Z') }));
    archive.finalize();
  });
}

async function artifacts() {
  const paths = await Promise.all(FUNCTIONS.map(zip));
  return Object.fromEntries(FUNCTIONS.map((name, i) => [name, paths[i]]));
}

/** API Gateway answers preflights itself, so it needs the same origins the API allows. */
function cors(origins) {
  const list = origins
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (!list.length) return false;
  return {
    allowedOrigins: list,
    allowCredentials: !list.includes('*'),
    allowedMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization'],
    exposedResponseHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  };
}

async function issuer(given, options, resolveVariable) {
  if (given) return given;
  // serverless-offline cannot resolve CloudFormation functions: locally the issuer is its address.
  if (process.argv.slice(2).includes('offline')) {
    const host = options.host ?? (await resolveVariable('self:custom.serverless-offline.host, "localhost"'));
    const port = options.httpPort ?? (await resolveVariable('self:custom.serverless-offline.httpPort, 3000'));
    return `http://${host}:${port}`;
  }
  return { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] };
}

const offline = () => process.argv.slice(2).includes('offline');

function sealing() {
  if (!offline()) return { AUTH_KMS_KEY_ID: { 'Fn::GetAtt': ['KeyEncryptionKey', 'Arn'] } };
  const key = process.env.AUTH_KEY_ENCRYPTION_KEY;
  if (!key) throw new Error('serverless offline needs AUTH_KEY_ENCRYPTION_KEY (base64, 32 bytes): `npm run start:serverless` sets it');
  return { AUTH_KEY_ENCRYPTION_KEY: key };
}

/** The address of `Name <address>` or of a bare address; throws for anything else. */
function senderAddress(from) {
  const address = (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
  if (!/^[^\s@<>"]+@[^\s@<>"]+$/.test(address)) {
    throw new Error(`serverless.yml needs the sender of Gatehouse's mail: --param="mailFrom=Name <address>" (got ${JSON.stringify(from)})`);
  }
  return address;
}

/** The API's mail settings, the SES identity it may send from, and the From address it may use. */
function mail(params) {
  if (offline()) {
    const endpoint = process.env.AWS_ENDPOINT_URL_SESV2;
    if (!endpoint) throw new Error('serverless offline needs AWS_ENDPOINT_URL_SESV2 (a local SES endpoint): `npm run start:serverless` sets it');
    const from = process.env.AUTH_MAIL_FROM || 'Gatehouse <no-reply@localhost>';
    return {
      environment: { AUTH_MAIL: 'ses', AUTH_MAIL_FROM: from, AWS_ENDPOINT_URL_SESV2: endpoint },
      identity: senderAddress(from),
      address: senderAddress(from),
    };
  }
  const address = senderAddress(params.mailFrom);
  const identity = params.mailIdentity || address;
  if (identity !== address && identity !== address.split('@')[1]) {
    throw new Error(`mailIdentity must be the sender's address (${address}) or its domain, not ${JSON.stringify(identity)}`);
  }
  return {
    environment: { AUTH_MAIL: 'ses', AUTH_MAIL_FROM: params.mailFrom },
    identity,
    address,
  };
}

/** The rotation schedule: the same event the CDK stack's rule sends. */
function rotation(days) {
  return { schedule: { rate: `rate(${Number(days)} days)`, input: { gatehouse: 'rotate-keys' } } };
}

let built;
module.exports = async ({ options, resolveVariable }) => {
  // The same zips serve every reference in serverless.yml.
  built ??= artifacts();
  const origins = String(await resolveVariable('param:corsOrigins'));
  const common = {
    AUTH_STORE: 'dynamodb',
    AUTH_TABLE: String(await resolveVariable('self:custom.table')),
    AUTH_ISSUER: await issuer(String(await resolveVariable('param:issuer')), options, resolveVariable),
    AUTH_ACCESS_TOKEN_TTL: String(await resolveVariable('param:accessTokenTtl')),
    AUTH_CORS_ORIGINS: origins,
  };
  const mailing = mail({
    mailFrom: String(await resolveVariable('param:mailFrom')),
    mailIdentity: String(await resolveVariable('param:mailIdentity')),
  });
  // The web app's URL (links in mail, passkeys) and the passkeys' settings are the API's alone;
  // unset, they follow the issuer.
  const passkeys = {};
  for (const [variable, param] of [
    ['AUTH_APP_URL', 'appUrl'],
    ['AUTH_RP_ID', 'passkeyRpId'],
    ['AUTH_RP_ORIGINS', 'passkeyOrigins'],
  ]) {
    const value = String(await resolveVariable(`param:${param}`)).trim();
    if (value) passkeys[variable] = value;
  }
  return {
    routes: [...routes(), rotation(await resolveVariable('param:keyRotationDays'))],
    artifacts: await built,
    cors: cors(origins),
    environment: common,
    apiEnvironment: { ...common, ...sealing(), ...mailing.environment, ...passkeys },
    mailIdentityArn: {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:identity/${mailing.identity}`]],
    },
    mailAddress: mailing.address,
  };
};
