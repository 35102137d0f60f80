/** A horizontal bar chart (SVG) of each figure's ratio to its baseline, with a line at 1.0. */
export function ratioChart(bars: { label: string; ratio: number }[]): string {
  const rowHeight = 22;
  const left = 230;
  const width = 640;
  const plot = width - left - 60;
  const max = Math.max(1.2, ...bars.map((b) => b.ratio));
  const x = (ratio: number) => left + (Math.min(ratio, max) / max) * plot;
  const height = bars.length * rowHeight + 40;
  const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = bars
    .map((bar, i) => {
      const y = 20 + i * rowHeight;
      return [
        `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(bar.ratio) - left).toFixed(1)}" height="${rowHeight - 8}" fill="#2f5bd3"/>`,
        `<text x="${(x(bar.ratio) + 4).toFixed(1)}" y="${y + 14}">${bar.ratio.toFixed(2)}</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
${rows}
<line x1="${x(1)}" y1="12" x2="${x(1)}" y2="${height - 16}" stroke="#a11b1b" stroke-dasharray="4 3"/>
<text x="${x(1)}" y="${height - 4}" text-anchor="middle" fill="#a11b1b">1.0 = baseline</text>
</svg>
`;
}
