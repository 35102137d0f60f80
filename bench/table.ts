/** The benchmark's table: one row per figure, its baseline, the ratio and the budget it is held to. */

export interface Budget {
  readonly op: '≥' | '≤' | '=';
  readonly limit: number;
}

export interface Row {
  readonly section: string;
  readonly figure: string;
  /** A number, or text such as "4 / 7" for counts. */
  readonly value: number | string;
  readonly baseline?: number;
  readonly ratio?: number;
  /** The middle half of the rounds' own ratios: how far to trust the median on a busy machine. */
  readonly spread?: readonly [number, number];
  /** Held to the ratio, or for counts to the number of steps (`measured`). */
  readonly budget?: Budget;
  readonly measured?: number;
  /** Printed with its budget, but not counted: the emulator's speed is not DynamoDB's. */
  readonly informative?: boolean;
}

export type Status = 'met' | 'MISSED' | 'info';

export function meets(budget: Budget, value: number): boolean {
  if (budget.op === '≥') return value >= budget.limit;
  if (budget.op === '≤') return value <= budget.limit;
  return value === budget.limit;
}

export function status(row: Row): Status {
  const judged = row.measured ?? row.ratio;
  if (!row.budget || row.informative || judged === undefined) return 'info';
  return meets(row.budget, judged) ? 'met' : 'MISSED';
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

export const HEADER = `${'figure'.padEnd(52)} ${'value'.padStart(11)} ${'baseline'.padStart(9)} ${'ratio'.padStart(6)} ${'IQR'.padEnd(11)}  ${'budget'.padEnd(9)} status`;

/** The table as printed: sections in order of first appearance, one line per row. */
export function formatTable(rows: readonly Row[]): string[] {
  const lines = [HEADER];
  let section = '';
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push(section);
    }
    const value = typeof row.value === 'number' ? fmt(row.value) : row.value;
    const budget = row.budget
      ? `${row.informative ? '(' : ''}${row.budget.op} ${row.measured !== undefined ? row.budget.limit : row.budget.limit.toFixed(2)}${row.informative ? ')' : ''}`
      : '';
    const judged = row.measured ?? row.ratio;
    const shown = row.informative && row.budget && judged !== undefined ? `info (${meets(row.budget, judged) ? 'within' : 'outside'})` : status(row);
    lines.push(
      `  ${row.figure.padEnd(50)} ${value.padStart(11)} ${(row.baseline === undefined ? '' : fmt(row.baseline)).padStart(9)} ${(row.ratio === undefined ? '' : row.ratio.toFixed(2)).padStart(6)} ${(row.spread ? `${row.spread[0].toFixed(2)}–${row.spread[1].toFixed(2)}` : '').padEnd(11)}  ${budget.padEnd(9)} ${shown}`,
    );
  }
  return lines;
}
