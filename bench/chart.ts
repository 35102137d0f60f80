/**
 * A horizontal bar chart (SVG) of each figure's ratio to its baseline: a dashed line at 1.0, a
 * tick at each budget, bars green when the budget is met, red when missed, grey when informative.
 */
export interface Bar {
  readonly label: string;
  readonly ratio: number;
  readonly budget?: number;
  readonly status: 'met' | 'MISSED' | 'info';
}

const COLORS = { met: '#2e7d32', MISSED: '#c62828', info: '#9e9e9e' };

export function ratioChart(bars: readonly Bar[]): string {
  const rowHeight = 22;
  const left = 430;
  const width = 870;
  const plot = width - left - 60;
  const max = Math.max(1.6, ...bars.map((b) => Math.max(b.ratio, b.budget ?? 0)));
  const x = (ratio: number) => left + (Math.min(ratio, max) / max) * plot;
  const height = bars.length * rowHeight + 40;
  const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = bars
    .map((bar, i) => {
      const y = 20 + i * rowHeight;
      const tick =
        bar.budget === undefined
          ? ''
          : `<line x1="${x(bar.budget).toFixed(1)}" y1="${y + 1}" x2="${x(bar.budget).toFixed(1)}" y2="${y + rowHeight - 3}" stroke="#000" stroke-width="2"/>`;
      return [
        `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(bar.ratio) - left).toFixed(1)}" height="${rowHeight - 8}" fill="${COLORS[bar.status]}"/>`,
        tick,
        `<text x="${(x(bar.ratio) + 4).toFixed(1)}" y="${y + 14}">${bar.ratio.toFixed(2)}</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
${rows}
<line x1="${x(1)}" y1="12" x2="${x(1)}" y2="${height - 16}" stroke="#555" stroke-dasharray="4 3"/>
<text x="${x(1)}" y="${height - 4}" text-anchor="middle" fill="#555">1.0 = baseline · black tick = budget</text>
</svg>
`;
}
