import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EmailIdentity, Identity, type IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface GatehouseMailProps {
  /** The sender, `Name <address>` or an address (AUTH_MAIL_FROM). */
  readonly mailFrom: string;
  /**
   * The SES identity that sends it: the address or its domain, already verified in SES in this
   * region. Default: an email-address identity for the sender is created (SES mails the address a
   * link that must be opened before any mail goes out).
   */
  readonly mailIdentity?: string;
}

const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+$/;

/** The address of `Name <address>` or of a bare address; throws for anything else. */
export function senderAddress(mailFrom: string): string {
  const address = (/<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom).trim();
  if (!ADDRESS.test(address)) throw new Error(`mailFrom must be an address or Name <address>, not ${JSON.stringify(mailFrom)}`);
  return address;
}

/** The SES identity Gatehouse sends its mail from, and the one grant it needs. */
export class GatehouseMail extends Construct {
  readonly identity: IEmailIdentity;
  /** The sender's address: the only From address the grant allows. */
  readonly address: string;

  constructor(scope: Construct, id: string, props: GatehouseMailProps) {
    super(scope, id);
    this.address = senderAddress(props.mailFrom);
    const named = props.mailIdentity?.trim();
    if (named && named !== this.address && named !== this.address.split('@')[1]) {
      throw new Error(`mailIdentity must be the sender's address (${this.address}) or its domain, not ${JSON.stringify(named)}`);
    }
    this.identity = named
      ? EmailIdentity.fromEmailIdentityName(this, 'Identity', named)
      : new EmailIdentity(this, 'Identity', { identity: Identity.email(this.address) });
  }

  /**
   * `ses:SendEmail` (what SES v2 SendEmail authorises) on this identity only, and only From the
   * sender's address. No configuration set is used, so none is granted.
   */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [this.identity.emailIdentityArn],
        conditions: { StringEquals: { 'ses:FromAddress': this.address } },
      }),
    );
  }
}
