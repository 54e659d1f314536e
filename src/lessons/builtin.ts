/** The lessons that come with Warren: the files under lessons/, bundled at build time. */
import { loadWorkshop, mapReader, type Workshop } from './workshop.ts';

const files = import.meta.glob('../../lessons/*.{txt,md}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export function builtinFiles(): Record<string, string> {
  return files;
}

export function loadBuiltin(): Promise<Workshop> {
  return loadWorkshop(mapReader(files), 'builtin');
}
