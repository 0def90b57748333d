// The Debian packages `npm test` needs, checked before the long steps: installed when this process can
// (root with apt-get, as on CI and a fresh Debian machine), otherwise one line says how, and the run stops at once,
// so a missing package never shows up minutes later as a red end-to-end test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/**
 * Make sure the system packages are there. Returns true to go on; on false the caller exits non-zero
 * (the reason has been printed as one line).
 */
export function ensureSystemPackages() {
  const chromium = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
  // Debian's Chromium drives the end-to-end tests (playwright.config.ts); Playwright's own download is never used.
  // rsync is optional: the bench smoke test compares with it when it is installed and leaves its figures out otherwise.
  const needed = [{ pkg: 'chromium', present: () => existsSync(chromium) }, { pkg: 'rsync', present: () => onPath('rsync') }];

  let missing = needed.filter((n) => !n.present());
  if (missing.length === 0) return true;
  // A path given in FERRY_CHROMIUM is the user's own: installing Debian's package would not put anything there.
  const installable = missing.filter((n) => !(n.pkg === 'chromium' && process.env.FERRY_CHROMIUM));
  const canInstall = process.getuid?.() === 0 && onPath('apt-get');
  if (installable.length > 0 && canInstall) {
    const pkgs = installable.map((n) => n.pkg);
    console.log(`\n=== installing ${pkgs.join(', ')} (apt-get) ===`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const ok = spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env }).status === 0
      && spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env }).status === 0;
    if (!ok) console.error(`npm test: apt-get could not install ${pkgs.join(' ')} (its output is above)`);
    missing = needed.filter((n) => !n.present());
  }
  if (missing.some((n) => n.pkg === 'chromium')) {
    console.error(process.env.FERRY_CHROMIUM
      ? `npm test: FERRY_CHROMIUM=${chromium} does not exist: point it at a Chromium binary, or unset it to use Debian's /usr/bin/chromium`
      : 'npm test needs Chromium at /usr/bin/chromium for the end-to-end tests: install it with `sudo apt-get install -y chromium` (or set FERRY_CHROMIUM=/path/to/chromium), then run npm test again');
    return false;
  }
  for (const n of missing) {
    console.log(`note: ${n.pkg} is not installed, so the bench smoke test leaves out its ${n.pkg} figures (apt-get install -y ${n.pkg})`);
  }
  return true;
}
