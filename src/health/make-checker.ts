// A Checker for each keepalived checker block.
import type { CheckerSpec } from './checker-spec.js';
import type { Checker } from './checker.js';
import { DnsCheck } from './dns-check.js';
import { HttpGet } from './http-get.js';
import { MiscCheck } from './misc-check.js';
import { PingCheck } from './ping-check.js';
import { SmtpCheck } from './smtp-check.js';
import { TcpCheck } from './tcp-check.js';
import { UdpCheck } from './udp-check.js';

export function makeChecker(spec: CheckerSpec): Checker {
  switch (spec.type) {
    case 'TCP_CHECK':
      return new TcpCheck();
    case 'HTTP_GET':
    case 'SSL_GET':
      return new HttpGet(spec.urls, spec.type === 'SSL_GET', spec.virtualhost);
    case 'SMTP_CHECK':
      return new SmtpCheck(spec.heloName ?? 'uvs');
    case 'MISC_CHECK':
      return new MiscCheck(
        spec.miscPath ?? 'false',
        spec.miscDynamic,
        (spec.miscTimeout ?? spec.delayLoop) * 1000,
      );
    case 'UDP_CHECK':
      return new UdpCheck(spec.udpPayload ?? '', spec.requireReply);
    case 'PING_CHECK':
      return new PingCheck();
    case 'DNS_CHECK':
      return new DnsCheck(spec.dnsName ?? '.', spec.dnsType ?? 'SOA');
  }
}
