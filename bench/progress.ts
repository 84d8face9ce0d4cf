// Progress on stderr while the bench runs: which round, path and workload, time spent and an
// estimate of the time left (the plan's estimate, corrected by how fast steps really went).

export function formatDuration(s: number): string {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

export class Progress {
  private readonly t0 = Date.now();
  private plannedLeftS: number;
  private plannedDoneS = 0;
  private stepEstimateS = 0;
  private open = false;

  constructor(
    totalEstimateS: number,
    private readonly write: (s: string) => void = (s) => void process.stderr.write(s),
  ) {
    this.plannedLeftS = totalEstimateS;
  }

  elapsedS(): number {
    return (Date.now() - this.t0) / 1000;
  }

  /** Seconds left: what the plan still holds, scaled by how the plan has fared so far. */
  leftS(): number {
    const factor =
      this.plannedDoneS > 10 ? Math.min(3, Math.max(0.7, this.elapsedS() / this.plannedDoneS)) : 1;
    return this.plannedLeftS * factor;
  }

  /** Prints a step's line (its result follows on the same line). */
  start(label: string, estimateS: number): void {
    this.closeLine();
    this.stepEstimateS = estimateS;
    this.write(
      `[${formatDuration(this.elapsedS())} elapsed, ~${formatDuration(this.leftS())} left] ${label} … `,
    );
    this.open = true;
  }

  finish(result: string): void {
    this.write(`${result}\n`);
    this.open = false;
    this.account(this.stepEstimateS);
  }

  /** A planned step that will not run (its path is not available). */
  skip(estimateS: number): void {
    this.plannedLeftS = Math.max(0, this.plannedLeftS - estimateS);
  }

  log(msg: string): void {
    this.closeLine();
    this.write(`${msg}\n`);
  }

  private account(estimateS: number): void {
    this.plannedDoneS += estimateS;
    this.plannedLeftS = Math.max(0, this.plannedLeftS - estimateS);
  }

  private closeLine(): void {
    if (this.open) this.write('\n');
    this.open = false;
  }
}
