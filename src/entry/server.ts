import { failed, runServer } from './run-server';
import { quietSdkNodeNotice } from './sdk-notice';

quietSdkNodeNotice();
runServer(process.env).catch(failed);
