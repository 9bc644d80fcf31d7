// What the enrollment page shows of a new token's secret: the QR code of
// its otpauth URI as an SVG image in a data: URL (an <img> the CSP allows,
// with alt text; no inline markup from a library), and the base32 secret in
// groups of four for typing.

import QRCode from 'qrcode';

export async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** ABCD EFGH ...: groups of four, the way authenticator apps show a key. */
export function secretGroups(base32: string): string[] {
  return base32.match(/.{1,4}/g) ?? [];
}
