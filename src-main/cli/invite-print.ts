/** How the CLI shows an invite: the string on its own line (easy to select) and a QR code a phone can scan. */
import QRCode from 'qrcode';

/** A QR code of `text` for a terminal (two rows of modules per line, dark on a forced light background). */
export async function terminalQr(text: string): Promise<string> {
  const qr = await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
  // The library ends with a line of colour codes only: drop lines that show nothing.
  // eslint-disable-next-line no-control-regex
  return qr.split('\n').filter((line) => line.replace(/\x1b\[[0-9;]*m/g, '').trim() !== '').join('\n');
}

/** Lines that present an invite; `qr` false leaves the code out (e.g. output to a file or a pipe). */
export async function inviteLines(invite: string, hosts: readonly string[], qr: boolean): Promise<string[]> {
  const lines = [
    '',
    'Invite (address, share, fingerprint and token in one string; it is a secret):',
    '',
    `  ${invite}`,
    '',
    `  Paste it into Ferry's "Add folder" dialog, or run: ferry sync --dir DIR --invite '${invite.slice(0, 12)}…'`,
    `  Reachable at: ${hosts.join(', ')} (a client tries them in this order)`,
  ];
  if (qr) lines.push('', await terminalQr(invite));
  return lines;
}
