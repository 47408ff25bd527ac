// npm leaves out of package-lock.json the optional platform packages that the registry it can reach
// does not serve (here: most of rollup's @rollup/rollup-<os>-<cpu> builds), and `npm ci` then refuses
// the lockfile. This adds them as optional entries with their os/cpu, so `npm ci` skips them by platform.
// Run after `npm install` changes the lockfile: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pkgs = lock.packages;
const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32', 'sunos', 'netbsd', 'aix'];
const CPU = { arm: 'arm', 'arm-eabi': 'arm', 'arm-gnueabihf': 'arm', 'arm-musleabihf': 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32',
  loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x' };
let added = 0;
for (const meta of Object.values(pkgs)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (pkgs[key]) continue;
    const m = /-(android|darwin|freebsd|linux|openbsd|openharmony|win32|sunos|netbsd|aix)-([a-z0-9]+(?:-[a-z0-9]+)?)/.exec(dep);
    if (!m && dep !== 'fsevents') continue;
    const os = dep === 'fsevents' ? 'darwin' : m[1];
    const rest = dep === 'fsevents' ? '' : m[2];
    const cpuKey = Object.keys(CPU).find((k) => rest === k || rest.startsWith(`${k}-`)) ?? rest.split('-')[0];
    const entry = { version: version.replace(/^[~^]/, ''), dev: meta.dev || undefined, optional: true, os: [os] };
    if (dep !== 'fsevents') entry.cpu = [CPU[cpuKey] ?? cpuKey];
    if (/-musl/.test(rest)) entry.libc = ['musl'];
    else if (/-gnu/.test(rest) && os === 'linux') entry.libc = ['glibc'];
    if (!OS.includes(os)) continue;
    pkgs[key] = entry;
    added++;
  }
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
