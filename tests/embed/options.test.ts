import { describe, expect, it } from 'vitest';
import { DEFAULTS, describeProblem, readOptions, type Attribute } from '../../src/embed/options.ts';

const read = (attrs: Partial<Record<Attribute, string>>, fallbackLang: string | null = null) => readOptions((name) => attrs[name] ?? null, fallbackLang);

describe('an embed reads its attributes', () => {
  it('gives the defaults with no attributes', () => {
    expect(read({})).toEqual({ options: DEFAULTS, problems: [] });
  });

  it('reads every attribute', () => {
    const { options, problems } = read({
      scenario: 'queue.declare q',
      src: ' /s.amqp ',
      panels: 'log, topology inspector',
      autoplay: '',
      speed: '2.5',
      player: 'player',
      height: '300',
      theme: 'DARK',
      lang: 'zh-CN',
      goals: 'queue q\n\n# a comment\n acked ',
    });
    expect(problems).toEqual([]);
    expect(options).toEqual({
      scenario: 'queue.declare q',
      src: '/s.amqp',
      panels: ['topology', 'inspector', 'log'],
      autoplay: true,
      speed: 2.5,
      player: true,
      height: '300px',
      theme: 'dark',
      lang: 'zh',
      goals: ['queue q', 'acked'],
    });
  });

  it('takes boolean attributes written false as off, and lengths with units as they are', () => {
    const { options } = read({ autoplay: 'false', player: 'no', height: '60vh', speed: '10x' });
    expect(options).toMatchObject({ autoplay: false, player: false, height: '60vh', speed: 10 });
  });

  it("follows the host page's language when it has none of its own, if it is one of ours", () => {
    expect(read({}, 'zh-Hans').options.lang).toBe('zh');
    expect(read({}, 'fr').options.lang).toBe('en');
    expect(read({ lang: 'en' }, 'zh').options.lang).toBe('en');
  });

  it('reports each bad value in words and keeps the default for it', () => {
    const { options, problems } = read({ panels: 'topology charts', speed: '11', height: 'tall', theme: 'blue', lang: 'fr' });
    expect(problems.map(describeProblem)).toEqual([
      `panels="topology charts": unknown panel 'charts' (panels are topology, shell, inspector, log)`,
      'speed="11": speed must be a number from 0.1 to 10',
      'height="tall": height must be a length such as 400, 400px, 30em or 60vh',
      'theme="blue": theme must be one of light, dark, auto',
      'lang="fr": lang must be one of en, zh',
    ]);
    expect(options).toEqual({ ...DEFAULTS, panels: ['topology'] });
    expect(read({ speed: '0.05' }).problems).toHaveLength(1);
    expect(read({ speed: '' }).problems).toHaveLength(1);
    expect(read({ panels: ' , ' }).problems.map(describeProblem)).toEqual(['panels=" , ": no panel named (panels are topology, shell, inspector, log)']);
  });
});
