// uvs-genhash's description: its --help and its man page uvs-genhash(1).
import type { CommandDoc } from './command-doc.js';

export const UVS_GENHASH_DOC: CommandDoc = {
  name: 'uvs-genhash',
  section: 1,
  summary: "MD5 digest of a web page, as keepalived's genhash computes it",
  synopsis: ['uvs-genhash -s server -p port -u url [-S] [-V virtualhost] [-v] [-t seconds]'],
  description: [
    "Fetches a page and prints `MD5SUM = <digest>`: the digest to paste into a HTTP_GET or SSL_GET url block of a keepalived.conf run by uvsd -f. Same flags as keepalived's genhash.",
  ],
  options: [
    {
      long: 'server',
      short: 's',
      arg: 'ADDRESS',
      type: 'string',
      describe: 'server address (IPv4)',
    },
    { long: 'port', short: 'p', arg: 'PORT', type: 'number', describe: 'server port' },
    {
      long: 'url',
      short: 'u',
      arg: 'PATH',
      type: 'string',
      describe: 'path of the page (/index.html)',
    },
    {
      long: 'use-ssl',
      short: 'S',
      type: 'boolean',
      describe: 'use SSL (certificates are not verified)',
    },
    {
      long: 'use-virtualhost',
      short: 'V',
      arg: 'HOST',
      type: 'string',
      describe: 'Host header to send',
    },
    {
      long: 'timeout',
      short: 't',
      arg: 'SECONDS',
      type: 'number',
      default: 5,
      describe: 'seconds to wait for the page',
    },
    { long: 'verbose', short: 'v', type: 'boolean', describe: 'also print the status line' },
    {
      long: 'release',
      short: 'r',
      aliases: ['version'],
      type: 'boolean',
      describe: 'print the version and exit',
    },
    { long: 'help', short: 'h', type: 'boolean', describe: 'this help' },
  ],
  sections: [
    {
      title: 'EXAMPLES',
      paragraphs: ['  uvs-genhash -s 192.168.20.1 -p 80 -u /index.html'],
    },
    {
      title: 'EXIT STATUS',
      paragraphs: ['0 when the page was fetched, 1 when it was not, 2 on a wrong option.'],
    },
  ],
  seeAlso: ['uvsd(8)', 'genhash(1)', 'keepalived.conf(5)'],
};
