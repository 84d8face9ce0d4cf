// A TCP echo server (what latency-us talks to): every byte received is sent back at once.
//   node dist/bench/tools/tcp-echo.js --port 7
import { createServer } from 'node:net';
import { readBenchArgs } from '../bench-args.js';

const opt = readBenchArgs('usage: tcp-echo --port P\n\nEchoes every TCP byte back.', ['--port']);
const port = opt.number('--port', 7, 1, 65535);
const server = createServer((sock) => {
  sock.setNoDelay(true);
  sock.on('data', (d) => sock.write(d));
  sock.on('error', () => sock.destroy());
});
server.listen(port, () => console.log(`tcp-echo: listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
