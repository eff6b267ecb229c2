// Bundles providers/digitalocean/dots-sdk.js with the exact dots and Kiota packages of the dev
// install into dist/ (one file, no runtime dependencies), and writes the licence notices of
// everything that went into it. Why: npm ignores a dependency's `overrides`, so a user's install
// would resolve a Kiota release that breaks dots; a bundled copy cannot drift.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ENTRY = 'providers/digitalocean/dots-sdk.js';
const OUT = 'dist/providers/digitalocean/dots-sdk.js';
const NOTICES = 'dist/providers/digitalocean/dots-sdk.NOTICES.txt';

/** `node_modules/@scope/name/…` or `node_modules/name/…` → the package's folder, innermost one. */
function packageDirOf(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

function licenceFileOf(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  return file === undefined ? undefined : readFileSync(join(dir, file), 'utf8').trim();
}

/**
 * Each package's own licence file; a package that ships none (std-uritemplate) gets its author,
 * source and a pointer to the same licence's full text given for another package.
 */
function noticeTexts(root, packages) {
  const withText = new Map();
  const texts = packages.map((p) => licenceFileOf(join(root, p.dir)));
  packages.forEach((p, i) => {
    if (texts[i] !== undefined && !withText.has(p.license)) withText.set(p.license, p);
  });
  return packages.map((p, i) => {
    if (texts[i] !== undefined) return texts[i];
    const full = withText.get(p.license);
    if (full === undefined)
      throw new Error(`${p.name} ships no licence file and no other ${p.license} text is bundled`);
    const by = p.author ? `Copyright ${p.author}. ` : '';
    return `${by}Licensed under ${p.license} (the package ships no licence file; source: ${p.repository}).\nThe full ${p.license} text is given above for ${full.name}.`;
  });
}

/** The pins are the point of the bundle: refuse to build with any other Kiota than the overrides say. */
function checkPins(root, packages) {
  const { overrides } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const { name, version } of packages) {
    const pinned = overrides[name];
    if (pinned !== undefined && pinned !== version) {
      throw new Error(`${name} ${version} would be bundled, but package.json pins ${pinned}: run npm ci`);
    }
  }
}

export async function bundleDotsSdk(root) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    legalComments: 'none',
    banner: { js: `// @digitalocean/dots and Kiota, bundled. Licences: ${NOTICES.split('/').pop()}` },
    logLevel: 'warning',
  });
  const dirs = [...new Set(Object.keys(result.metafile.inputs).map(packageDirOf))].filter(Boolean).sort();
  const packages = dirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const author = typeof manifest.author === 'object' ? manifest.author?.name : manifest.author;
    const repository = manifest.repository?.url ?? manifest.repository ?? manifest.homepage ?? '';
    return {
      dir,
      name: manifest.name,
      version: manifest.version,
      license: manifest.license,
      author,
      repository,
    };
  });
  checkPins(root, packages);
  const texts = noticeTexts(root, packages);
  const line = '='.repeat(78);
  const sections = packages.map(
    (p, i) => `${line}\n${p.name} ${p.version} (${p.license})\n${line}\n\n${texts[i]}\n`,
  );
  const header =
    `dots-sdk.js bundles code of the following packages (tree-shaken by esbuild, not otherwise changed),\n` +
    `each under its own licence. Their notices follow.\n\n${packages.map((p) => `- ${p.name} ${p.version} (${p.license})`).join('\n')}\n\n`;
  writeFileSync(join(root, NOTICES), header + sections.join('\n'));
}
