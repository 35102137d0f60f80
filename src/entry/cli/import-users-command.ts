import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../../core/clock';
import { type ImportReport, importUsers } from '../../core/import-users';
import { createDynamoClients } from '../dynamodb-client';
import { type Command, type Io, parse, STORE_HELP, UsageError, withStore } from './command';
import { terminalSafe } from './terminal-text';

/** How far the import is: a bar when the total is known. */
function progress(io: Io, total: number | undefined) {
  return (r: ImportReport) => {
    const done = r.seen;
    const bar = total ? `[${'#'.repeat(Math.min(30, Math.round((done / total) * 30))).padEnd(30, '.')}] ` : '';
    io.progress(`${bar}${done}${total ? `/${total}` : ''} read · ${r.imported} imported · ${r.alreadyImported} already there · ${r.skipped.length} skipped`);
  };
}

export const importUsersCommand: Command = {
  usage: 'gatehouse import-users --source-table NAME [--dry-run] [--limit N] [--page-size N]',
  summary: 'copy users from a tutorial table (username, name, bcrypt password) into Gatehouse',
  help: `Reads the tutorials' DynamoDB table (partition key "username"; items {username, name,
password: bcrypt hash, tokens?: [...]}) and creates each user in Gatehouse's store. bcrypt hashes
are kept and become Argon2id at the user's first login; old tokens are dropped. Names that
differ only in letter case (Kate, kate) are all skipped, as are names with look-alike letters
and bcrypt costs outside 4-14. A checkpoint after every page lets an interrupted import carry on
where it stopped; users imported earlier from the same item are counted, never written twice.
Ends with a report: imported, already there, skipped and why.
Options:
--source-table NAME  the tutorial table (read with the AWS SDK's own configuration)
--dry-run            check every item and report, writing nothing
--limit N            import at most N users in this run; the next run carries on
--page-size N        items read per request (default 100)
${STORE_HELP}`,
  async run(args, io) {
    const { values } = parse(args, {
      'source-table': { type: 'string' },
      'dry-run': { type: 'boolean' },
      limit: { type: 'string' },
      'page-size': { type: 'string' },
    });
    const source = values['source-table'];
    if (typeof source !== 'string' || !source) throw new UsageError('--source-table is required');
    const number = (flag: string, fallback?: number) => {
      const raw = values[flag];
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(String(raw)) || Number(raw) < 1) throw new UsageError(`--${flag} must be a whole number from 1`);
      return Number(raw);
    };
    const limit = number('limit');
    const pageSize = number('page-size', 100)!;
    const dryRun = Boolean(values['dry-run']);
    const clients = createDynamoClients(io.env);
    try {
      const described = await clients.client.send(new DescribeTableCommand({ TableName: source }));
      const total = described.Table?.ItemCount || undefined;
      const report = await withStore(
        io,
        (store) =>
          importUsers(store, systemClock, {
            source,
            dryRun,
            limit,
            keyOf: (item) => ({ username: item.username }),
            readPage: async (start) => {
              const page = await clients.document.send(new ScanCommand({ TableName: source, Limit: pageSize, ConsistentRead: true, ExclusiveStartKey: start }));
              return { items: page.Items ?? [], next: page.LastEvaluatedKey };
            },
            onProgress: progress(io, total),
          }),
        // An import may be the first thing a new store holds.
        { mayCreate: !dryRun },
      );
      io.progressDone();
      const verb = dryRun ? 'Would import' : 'Imported';
      io.out(
        `${verb} ${report.imported} user(s) from ${terminalSafe(source)}; ${report.alreadyImported} already there; ${report.skipped.length} skipped${report.resumed ? ' (carried on from the last run)' : ''}.`,
      );
      // Names come from the tutorial's table, as anyone typed them.
      for (const { username: name, reason } of report.skipped) io.out(`  skipped ${terminalSafe(name)}: ${terminalSafe(reason)}`);
      if (!report.finished) io.out(`Stopped after ${limit} import(s); run the same command again to carry on.`);
      return 0;
    } finally {
      clients.client.destroy();
    }
  },
};
