import { describe, expect, it } from 'vitest';
import { cjkGrams, cjkQueryTerms } from './cjk-grams.js';

describe('cjkGrams: the terms an unspaced run is indexed by', () => {
  it('gives nothing for texts without such a run', () => {
    expect(cjkGrams('I adopted a kitten')).toBe('');
    expect(cjkGrams('Я живу в Москве, ذهبت إلى السوق 🎉')).toBe('');
  });

  it('indexes each character and each overlapping pair of a run', () => {
    expect(cjkGrams('在北京吃')).toBe('在 北 京 吃 在北 北京 京吃');
    // Runs are cut by spaces, punctuation and other scripts; Latin words stay with memories_fts.
    expect(cjkGrams('Trip: 東京へ, then Osaka')).toBe('東 京 へ 東京 京へ');
    expect(cjkGrams('서울에서 살아요').split(' ')).toEqual(
      expect.arrayContaining(['서울', '울에', '에서', '살아', '아요']),
    );
  });

  it('keeps combining marks with their letter and folds half-width kana', () => {
    // Thai: the vowel mark ี and tone mark ่ belong to ท; NFKC turns half-width ｺｰﾋｰ into コーヒー.
    expect(cjkGrams('ที่นี่').split(' ')).toContain('ที่นี่');
    expect(cjkGrams('ｺｰﾋｰ')).toContain('コー');
  });
});

describe('cjkQueryTerms: what a query asks for', () => {
  it('asks for the pairs of each run, or the character of a one-character run', () => {
    expect(cjkQueryTerms('北京')).toEqual(['北京']);
    expect(cjkQueryTerms('北京烤鸭')).toEqual(['北京', '京烤', '烤鸭']);
    expect(cjkQueryTerms('my 猫')).toEqual(['猫']);
    expect(cjkQueryTerms('where is my cat?')).toEqual([]);
  });
});
