import { describe, expect, it } from 'vitest';
import { IgnoreRules } from './ignore-rules';

describe('IgnoreRules', () => {
  it('always ignores .ferry at the root', () => {
    const r = new IgnoreRules();
    expect(r.ignores('.ferry', true)).toBe(true);
    expect(r.ignores('.ferry/versions/x', false)).toBe(true);
    expect(r.ignores('a/.ferry', true)).toBe(false);
  });
  it('applies gitignore syntax from the file and the settings', () => {
    const r = new IgnoreRules(['*.log'], 'node_modules/\n# comment\n/top.txt\n!keep.log\n');
    expect(r.ignores('x.log', false)).toBe(true);
    expect(r.ignores('sub/x.log', false)).toBe(true);
    expect(r.ignores('keep.log', false)).toBe(false);
    expect(r.ignores('node_modules', true)).toBe(true);
    expect(r.ignores('node_modules', false)).toBe(false);
    expect(r.ignores('a/node_modules/b.js', false)).toBe(true);
    expect(r.ignores('top.txt', false)).toBe(true);
    expect(r.ignores('sub/top.txt', false)).toBe(false);
  });
  it('ignores children of ignored folders', () => {
    const r = new IgnoreRules(['build/']);
    expect(r.ignores('build/deep/x', false)).toBe(true);
  });
  it('always ignores the temp files of downloads into the folder, with or without rules', () => {
    for (const r of [new IgnoreRules(), new IgnoreRules(['*.log'])]) {
      expect(r.ignores('plans/.garden plan.txt.ferry-beeb2a11.part', false)).toBe(true);
      expect(r.ignores('.a.ferry-0123abcd.part', false)).toBe(true);
      expect(r.ignores('plans/garden plan.txt', false)).toBe(false);
      expect(r.ignores('notes.ferry-0123abcd.part', false)).toBe(false); // not a dot file: a user's own name
    }
  });

  it('never ignores the root', () => {
    expect(new IgnoreRules(['*']).ignores('', true)).toBe(false);
  });
  it('answers the same without user rules (fast path) as the library does', () => {
    const none = new IgnoreRules([], '# only a comment\n\n');
    const lib = new IgnoreRules(['never-matches-anything-xyz']);
    for (const [p, d] of [['.ferry', true], ['.ferry/staging/x', false], ['.ferryx', false], ['a/.ferry', true], ['a/b.txt', false], ['/abs', false], ['../up', false], ['./here', false]] as const) {
      expect(none.ignores(p, d), p).toBe(lib.ignores(p, d));
    }
  });
  it('stays right across many questions (its cache is rebuilt, not grown without bound)', () => {
    const r = new IgnoreRules(['*.log', 'build/']);
    for (let i = 0; i < 30_000; i++) {
      expect(r.ignores(`d${i % 97}/f${i}.log`, false)).toBe(true);
      expect(r.ignores(`d${i % 97}/f${i}.txt`, false)).toBe(false);
    }
    expect(r.ignores('x/build/y', false)).toBe(true);
  });
});
