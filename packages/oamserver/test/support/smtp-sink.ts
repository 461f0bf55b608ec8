// A real SMTP server on port 0 (npm smtp-server) that keeps every message it accepts, parsed
// (npm mailparser), for the tests of the e-mail channel.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One accepted message: the SMTP envelope and the parsed mail. */
export interface SunkMessage {
  mailFrom: string;
  rcptTo: string[];
  /** The user that authenticated, when one did. */
  user?: string;
  mail: ParsedMail;
}

export interface SmtpSinkOptions {
  /** Require AUTH with these credentials (over plain text: the sink has no TLS). */
  credentials?: { user: string; password: string };
}

export interface SmtpSink {
  readonly port: number;
  readonly messages: SunkMessage[];
  /** Messages refused so far. */
  readonly refused: number;
  /** Answers to the next messages' DATA: an SMTP code (451, 550) refuses, 250 accepts; the last repeats. Default 250. */
  answer(...codes: number[]): void;
  close(): Promise<void>;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SunkMessage[] = [];
  let codes = [250];
  let seen = 0;
  let refused = 0;
  const server = new SMTPServer({
    // No STARTTLS: the sink speaks plain SMTP on the loopback, so the client must not insist on TLS.
    disabledCommands: options.credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.credentials,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const expected = options.credentials;
      if (expected && auth.username === expected.user && auth.password === expected.password) {
        callback(null, { user: auth.username });
      } else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const code = codes[Math.min(seen, codes.length - 1)]!;
      seen += 1;
      simpleParser(stream)
        .then((mail) => {
          if (code >= 400) {
            refused += 1;
            callback(
              Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code }),
            );
            return;
          }
          messages.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            ...(typeof session.user === 'string' && { user: session.user }),
            mail,
          });
          callback();
        })
        .catch((error: unknown) => callback(error as Error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    get refused() {
      return refused;
    },
    answer(...next) {
      codes = next;
      seen = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
