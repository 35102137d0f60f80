import { endSession, endSessions, listSessions, SID_PATTERN } from '../../core/sessions';
import { findUser } from '../../core/users';
import { type Command, CommandError, parse, STORE_HELP, UsageError, username, withStore } from './command';
import { terminalSafe } from './terminal-text';

export const sessionsCommand: Command = {
  usage: 'gatehouse sessions list <username> | sessions revoke <username> (<session-id> | --all)',
  summary: "list a user's sessions, or end one or all of them at once",
  help: `sessions list <username>
    Every live session: id, created, last used, user agent.
sessions revoke <username> <session-id>
sessions revoke <username> --all
    Ends the session(s): their access and refresh tokens are refused at once.
${STORE_HELP}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { all: { type: 'boolean' } }, 3);
    const [action, rawName, sid] = positionals;
    if (action !== 'list' && action !== 'revoke') throw new UsageError(`unknown action ${JSON.stringify(action ?? '')}: use list or revoke`);
    const name = username(rawName);
    if (action === 'list' && (sid || values.all)) throw new UsageError('sessions list takes only a username');
    if (action === 'revoke' && Boolean(values.all) === Boolean(sid)) throw new UsageError('give either a session id or --all');
    if (sid !== undefined && !SID_PATTERN.test(sid)) throw new UsageError(`not a session id: ${JSON.stringify(sid)} (give one as sessions list prints it)`);
    return withStore(io, async (store) => {
      if (!(await findUser(store, name))) throw new CommandError(`No such user: ${name}`);
      if (action === 'list') {
        const sessions = await listSessions(store, name);
        if (!sessions.length) io.out(`${name} has no live sessions`);
        for (const s of sessions) io.out(`${s.sid}  created ${s.createdAt}  last used ${s.lastUsedAt}  ${terminalSafe(s.userAgent ?? '-')}`);
        return 0;
      }
      if (sid) {
        if (!(await endSession(store, name, sid))) throw new CommandError(`No live session ${sid} for ${name}`);
        io.out(`Ended session ${sid} of ${name}`);
        return 0;
      }
      const ended = await endSessions(store, name);
      io.out(`Ended ${ended} session${ended === 1 ? '' : 's'} of ${name}`);
      return 0;
    });
  },
};
