// The rate of ICMP errors a forwarding thread sends (a token bucket, as the kernel's
// icmp_msgs_per_sec / icmp_msgs_burst): a flood of packets to a service with no server, or of
// oversized DF packets, must not turn the director into an ICMP flood.

const PER_SECOND = 1000;
const BURST = 50;

export class IcmpRateLimit {
  private tokens = BURST;
  private last = -Infinity;

  allow(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(BURST, this.tokens + ((now - this.last) * PER_SECOND) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
