/**
 * Gatehouse supports Node.js 20.19 and newer (Lambda runs it on 22). The AWS SDK prints a nine-line
 * notice on every start under Node 20 that its releases after January 2027 will need Node 22; the
 * versions this project locks do not, and the README says so once. Our commands stay quiet unless
 * the person running them has set the SDK's own switch either way.
 */
export function quietSdkNodeNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
