import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Compose {
  services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string> }>;
}

describe('files a newcomer relies on', () => {
  it('docker-compose.yml defines Redis, the install, the scaler and the producer, pointing at files that exist', () => {
    const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as Compose;
    expect(Object.keys(compose.services).sort()).toEqual(['deps', 'producer', 'redis', 'scaler']);
    expect(compose.services.scaler?.environment?.REDIS_URL).toBe('redis://redis:6379');
    const commands = Object.values(compose.services)
      .flatMap((s) => s.command ?? [])
      .join(' ');
    // dist/ is built by the container's npm ci: its files must have a source.
    for (const file of commands.match(/(dist\/)?(examples|src)\/[\w./-]+\.(json|ts|js)\b/g) ?? []) {
      const source = file.startsWith('dist/') ? file.slice('dist/'.length).replace(/\.js$/, '.ts') : file;
      expect(existsSync(source), file).toBe(true);
    }
    expect(commands).toMatch(/examples\/local\.config\.json/);
  });

  it('the README shows the two quick-start commands', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
