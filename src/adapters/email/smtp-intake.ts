/**
 * The desk's own SMTP server (smtp-server) for mail routed to it: accepts messages for the desk
 * address (and its `+INC…` variants) only, up to a size limit, and answers 250 only after the message
 * was turned into a ticket or comment; a failure answers 451 so the sending server tries again.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../log.js';
import type { EmailOutcome } from './intake.js';

interface SmtpIntakeOptions {
  host: string;
  port: number;
  deskAddress: string;
  maxBytes: number;
  receive: (raw: Buffer) => Promise<EmailOutcome>;
  log: Logger;
}

interface SmtpIntake {
  start(): Promise<number>;
  stop(): Promise<void>;
}

function isDesk(address: string, desk: string): boolean {
  const [local, domain] = desk.toLowerCase().split('@');
  const m = /^([^@+]+)(?:\+[^@]*)?@(.+)$/.exec(address.toLowerCase());
  return m !== null && m[1] === local && m[2] === domain;
}

export function createSmtpIntake(o: SmtpIntakeOptions): SmtpIntake {
  const server = new SMTPServer({
    name: 'chatdesk',
    banner: 'chatdesk service desk',
    // Mail arrives from the company's own mail servers on a private network; TLS and SMTP AUTH are
    // theirs to enforce in front of this port.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: o.maxBytes,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!isDesk(address.address, o.deskAddress)) {
        const err = Object.assign(
          new Error(`5.1.1 <${address.address}>: this server only takes mail for ${o.deskAddress}`),
          {
            responseCode: 550,
          },
        );
        return callback(err);
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= o.maxBytes) chunks.push(c);
      });
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || size > o.maxBytes) {
          return callback(Object.assign(new Error('5.3.4 message too big'), { responseCode: 552 }));
        }
        o.receive(Buffer.concat(chunks))
          .then((outcome) => {
            o.log.info('e-mail received', { ...outcome });
            callback(null, outcome.ticket ? `queued as ${outcome.ticket}` : 'accepted');
          })
          .catch((e) => {
            o.log.error('e-mail could not be processed; the sender will retry', { error: e });
            callback(
              Object.assign(new Error('4.3.0 temporary failure, try again later'), { responseCode: 451 }),
            );
          });
      });
    },
  });
  return {
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(o.port, o.host, () => resolve((server.server.address() as AddressInfo).port));
      }),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
