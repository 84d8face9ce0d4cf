// A virtual server's quorum with hysteresis (keepalived's quorum, hysteresis): the quorum is
// lost when the live weight falls below quorum − hysteresis and regained when it reaches
// quorum + hysteresis; in between, it stays as it was. Pure: the caller runs the scripts.

export type QuorumChange = 'lost' | 'regained';

export class Quorum {
  up: boolean;

  constructor(
    readonly quorum: number,
    readonly hysteresis: number,
    initialLiveWeight: number,
  ) {
    this.up = initialLiveWeight >= quorum;
  }

  /** The live weight changed: says whether the quorum was just lost or regained. */
  update(liveWeight: number): QuorumChange | undefined {
    if (this.up && liveWeight < this.quorum - this.hysteresis) {
      this.up = false;
      return 'lost';
    }
    if (!this.up && liveWeight >= this.quorum + this.hysteresis) {
      this.up = true;
      return 'regained';
    }
    return undefined;
  }
}
