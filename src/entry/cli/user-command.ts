import { removeUser } from '../../core/account-removal';
import { type Command, CommandError, parse, STORE_HELP, UsageError, username, withStore } from './command';

export const userCommand: Command = {
  usage: 'gatehouse user delete <username> --yes',
  summary: 'remove a user and everything that belongs to them',
  help: `user delete <username> --yes
    Removes the user and their email claim, then ends every session, then removes their
    messages and passkeys. Without --yes it only says what it would remove. Safe to run again if interrupted.
${STORE_HELP}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { yes: { type: 'boolean', short: 'y' } }, 2);
    const [action, rawName] = positionals;
    if (action !== 'delete') throw new UsageError(`unknown action ${JSON.stringify(action ?? '')}: use delete`);
    const name = username(rawName);
    if (!values.yes) {
      io.err(`This removes ${name}, every session, message and passkey of theirs. Run again with --yes to do it.`);
      return 1;
    }
    const removal = await withStore(io, (store) => removeUser(store, name));
    if (!removal.user && !removal.sessions && !removal.messages && !removal.passkeys) throw new CommandError(`No such user: ${name}`);
    io.out(
      `Removed ${name}${removal.user ? '' : ' (the account was already gone)'}: ${removal.sessions} session(s), ${removal.messages} message(s), ${removal.passkeys} passkey(s)`,
    );
    return 0;
  },
};
