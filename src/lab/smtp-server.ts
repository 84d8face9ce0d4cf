// A minimal SMTP server for the lab's SMTP_CHECK (RFC 5321's greeting, EHLO, QUIT): enough
// for a health checker to hold a real conversation with.
import { createServer, type Server } from 'node:net';

export function serveSmtp(
  port: number,
  hostname: string,
  host = '0.0.0.0',
  greeting = 220,
): Promise<Server> {
  const server = createServer((sock) => {
    sock.setEncoding('utf8');
    sock.write(`${greeting} ${hostname} ESMTP uvs-lab\r\n`);
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO')
          sock.write(`250-${hostname} greets ${line.slice(5)}\r\n250 8BITMIME\r\n`);
        else if (verb === 'QUIT') sock.end(`221 ${hostname} closing\r\n`);
        else if (verb === 'NOOP') sock.write('250 OK\r\n');
        else sock.write('502 command not implemented\r\n');
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
