/** A QR code drawn as SVG from the `qrcode` library's module matrix (no canvas, no innerHTML: fine under a strict CSP). */
import { useMemo, type ReactNode } from 'react';
import QRCode from 'qrcode';

/** Dark modules as one SVG path, plus the matrix size. Scanners want a 4-module quiet zone around it. */
function qrPath(text: string): { d: string; size: number } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const parts: string[] = [];
  for (let y = 0; y < modules.size; y++) {
    for (let x = 0; x < modules.size; x++) {
      if (modules.get(y, x)) parts.push(`M${x + 4} ${y + 4}h1v1h-1z`);
    }
  }
  return { d: parts.join(''), size: modules.size + 8 };
}

/** Always dark on light, whatever the colour scheme: phone cameras read that best. */
export function QrCode({ text, label, size = 184 }: { text: string; label: string; size?: number }): ReactNode {
  const { d, size: n } = useMemo(() => qrPath(text), [text]);
  return (
    <svg className="qr" role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${n} ${n}`} shapeRendering="crispEdges">
      <rect width={n} height={n} fill="#ffffff" />
      <path d={d} fill="#111111" />
    </svg>
  );
}
