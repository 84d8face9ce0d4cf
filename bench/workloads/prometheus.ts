// Reading uvsd's Prometheus exposition (pure).

/** The sum of `name`'s samples over its label sets; undefined when uvsd does not export it. */
export function metricValue(exposition: string, name: string): number | undefined {
  let found = false;
  let sum = 0;
  const re = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`, 'gm');
  for (const m of exposition.matchAll(re)) {
    found = true;
    sum += Number(m[1]);
  }
  return found ? sum : undefined;
}
