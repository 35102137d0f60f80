import jsQR from 'jsqr';
import type { Browser } from 'playwright-core';

/**
 * Reads a QR code from a PNG (a screenshot of what the page drew): Chromium decodes the PNG into
 * pixels on a blank page, jsQR finds and reads the code in them. Null when there is none to read.
 */
export async function readQrCode(browser: Browser, png: Buffer): Promise<string | null> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const src = JSON.stringify(`data:image/png;base64,${png.toString('base64')}`);
    const { width, height, rgba } = await page.evaluate<{ width: number; height: number; rgba: number[] }>(`(async () => {
      const image = new Image();
      image.src = ${src};
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const drawing = canvas.getContext('2d');
      drawing.drawImage(image, 0, 0);
      return { width: canvas.width, height: canvas.height, rgba: Array.from(drawing.getImageData(0, 0, canvas.width, canvas.height).data) };
    })()`);
    return jsQR(Uint8ClampedArray.from(rgba), width, height)?.data ?? null;
  } finally {
    await context.close();
  }
}
