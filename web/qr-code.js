// @ts-check
// A QR code drawn in the page as SVG, from the module grid uqr computes: nothing leaves the page
// (no image service sees the secret), and no markup is parsed (DOM calls only, so the strict
// CSP holds).

import { encode } from 'uqr';

const SVG = 'http://www.w3.org/2000/svg';
/** The light margin scanners need around the code, in modules (ISO/IEC 18004 asks for 4). */
const QUIET_ZONE = 4;

/**
 * The dark modules as one SVG path: each run of dark modules in a row is one rectangle.
 * @param {boolean[][]} grid
 */
function darkModules(grid) {
  const parts = [];
  for (const [y, row] of grid.entries()) {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (row[x]) x++;
      parts.push(`M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h${start - x}z`);
    }
  }
  return parts.join('');
}

/**
 * An SVG image of the QR code of `text`, labelled for assistive technology.
 * @param {string} text
 * @param {string} label what the image is, said by screen readers
 * @returns {SVGSVGElement}
 */
export function qrCode(text, label) {
  // Level M survives a smudged screen or a slight glare; the otpauth URL still fits a small version.
  const { size, data } = encode(text, { ecc: 'M', border: 0 });
  const side = size + 2 * QUIET_ZONE;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${side} ${side}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  for (const [name, value] of Object.entries({ width: side, height: side, fill: '#ffffff' })) background.setAttribute(name, String(value));
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', darkModules(data));
  modules.setAttribute('fill', '#000000');
  svg.append(background, modules);
  return svg;
}
