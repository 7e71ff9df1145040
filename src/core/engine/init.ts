/**
 * `progeny init`: the first heritage version (from a template, optionally shaped by the convergence interview), this
 * device's record, and the server token. The interview runs in elastic mode (docs/domain.md): its answers move the limbic
 * state three times as fast, then elastic mode ends.
 */
import { hostname } from 'node:os';
import { ProgenyError } from '../errors.js';
import { summariseInterview, INTERVIEW, type InterviewAnswers } from '../heritage/interview.js';
import { DEFAULT_TEMPLATE, loadTemplate } from '../heritage/templates.js';
import { perceive } from '../limbic/perceive.js';
import { immediate } from '../store/db.js';
import type { LocalEngine } from './local-engine.js';
import { ensureServerToken } from './identity.js';
import { act } from '../hints.js';

export interface InitOptions {
  template?: string;
  answers?: InterviewAnswers;
  name?: string;
  creator?: string;
  force?: boolean;
}

export interface InitResult {
  created: boolean;
  home: string;
  template: string;
  heritageVersion: number;
  name: string;
  deviceId: string;
  answered: number;
  serverTokenPath: string;
}

export function initializeHome(engine: LocalEngine, opts: InitOptions = {}): InitResult {
  const template = opts.template ?? DEFAULT_TEMPLATE;
  const exists = engine.heritage.exists();
  if (exists && !opts.force) {
    throw new ProgenyError(
      'ALREADY_INITIALISED',
      `${engine.paths.home} already has a companion (${engine.heritage.current().doc.name})`,
      {
        hint: 'edit the heritage to change it, or add a new heritage version',
        actions: [act('heritage.edit'), act('init', { force: 'true' })],
      },
    );
  }
  let doc = loadTemplate(template);
  const answers = opts.answers ?? {};
  const answered = INTERVIEW.filter((q) => (answers[q.id] ?? '').trim() !== '');
  if (answered.length) {
    engine.state.setElastic(true, 'convergence interview');
    try {
      const insert = engine.db.prepare(
        'INSERT INTO interview_answers (phase, question, answer, created_at) VALUES (?, ?, ?, ?)',
      );
      immediate(engine.db, () => {
        for (const q of answered) insert.run(q.phase, q.text, (answers[q.id] as string).trim(), engine.clock.now());
      });
      for (const q of answered) engine.state.applyTurn(perceive(answers[q.id] as string), `interview:${q.id}`);
    } finally {
      engine.state.setElastic(false, 'interview finished');
    }
    doc = summariseInterview(doc, answers);
  }
  if (opts.name) doc = { ...doc, name: opts.name };
  if (opts.creator) doc = { ...doc, creator: opts.creator };
  const reason = answered.length
    ? `init: template ${template} + interview (${answered.length} answers)`
    : `init: template ${template}`;
  const version = engine.heritage.update(doc, reason, { allowBase: true });
  const self = engine.devices.ensureSelf(hostname() || 'this device');
  ensureServerToken(engine.paths);
  return {
    created: !exists,
    home: engine.paths.home,
    template,
    heritageVersion: version.version,
    name: doc.name,
    deviceId: self.id,
    answered: answered.length,
    serverTokenPath: engine.paths.serverToken,
  };
}
