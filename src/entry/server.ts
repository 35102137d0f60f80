import { failed, runServer } from './run-server';

runServer(process.env).catch(failed);
