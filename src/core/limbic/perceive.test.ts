import { describe, expect, it } from 'vitest';
import { perceive } from './perceive.js';
import { choosePosture, temperatureFor, toneGuidance } from './posture.js';
import { defaultLimbicState } from './types.js';

describe('perceive', () => {
  it('reads positive and negative sentiment from the lexicon', () => {
    expect(perceive('I love this, what a wonderful day').sentiment).toBeGreaterThan(0.5);
    expect(perceive('This is awful and I hate everything about it').sentiment).toBeLessThan(-0.5);
    expect(Math.abs(perceive('The meeting is at three').sentiment)).toBeLessThan(0.1);
  });
  it('detects urgency, load, questions and hostility cues', () => {
    expect(perceive('I need this fixed ASAP, the deadline is tonight!!').urgency).toBeGreaterThan(0.6);
    expect(perceive("I'm so overwhelmed and exhausted, it's too much").load).toBeGreaterThan(0.6);
    const q = perceive('What is the difference between TCP and UDP?');
    expect(q.question && q.seeksKnowledge).toBe(true);
    expect(perceive('Are you coming tonight?').seeksKnowledge).toBe(false);
    expect(perceive("you're useless, shut up").hostility).toBeGreaterThan(0.5);
    expect(perceive('whatever').hostility).toBeGreaterThan(0);
    expect(perceive('thanks, that helped a lot').hostility).toBe(0);
  });
});

describe('choosePosture (rule order of docs/domain.md)', () => {
  const base = defaultLimbicState(0);
  it('load > 0.6 or crisis → COMPANION', () => {
    expect(choosePosture(perceive("I'm overwhelmed, stressed and exhausted"), base).posture).toBe('COMPANION');
    expect(choosePosture(perceive('What is a monad?'), { ...base, valence: 0.2 }).posture).toBe('COMPANION');
  });
  it('urgency > 0.6 → COPILOT', () => {
    expect(choosePosture(perceive('urgent: deploy is broken, need a fix asap!!'), base).posture).toBe('COPILOT');
  });
  it('a knowledge question → EXPERT, unless trust > 0.8 and warmth > 0.7 keep PEER', () => {
    const q = perceive('How does a B-tree split a node?');
    expect(choosePosture(q, base).posture).toBe('EXPERT');
    expect(choosePosture(q, { ...base, trust: 0.85, warmth: 0.75 }).posture).toBe('PEER');
  });
  it('otherwise PEER', () => expect(choosePosture(perceive('I went for a walk'), base).posture).toBe('PEER'));
});

describe('tone and temperature', () => {
  it('temperature = 0.7 + 0.2·arousal', () => {
    expect(temperatureFor({ ...defaultLimbicState(0), arousal: 0.5 })).toBeCloseTo(0.8, 12);
  });
  it('tone follows the thresholds', () => {
    const t = toneGuidance({ ...defaultLimbicState(0), warmth: 0.75, trust: 0.3, arousal: 0.2, valence: 0.8 });
    expect(t.join(' ')).toMatch(/"we"/);
    expect(t.join(' ')).toMatch(/careful/);
    expect(t.join(' ')).toMatch(/gentle/);
    expect(t.join(' ')).toMatch(/Celebrate/);
    expect(toneGuidance({ ...defaultLimbicState(0), warmth: 0.5, trust: 0.6, arousal: 0.5, valence: 0.5 })).toEqual([]);
  });
});
