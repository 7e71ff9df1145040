/**
 * A structural check of a `progeny.bench/1` report (no schema library): what consumers such as CI scripts and
 * `--baseline` rely on. Returns the list of problems, empty when the report is well formed.
 */
import { SCHEMA } from './report.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

const LATENCY_KEYS = ['count', 'min', 'mean', 'p50', 'p95', 'p99', 'max'];

function checkLatency(x: unknown, at: string, out: string[]): void {
  if (!isObj(x)) return void out.push(`${at} must be an object`);
  for (const k of LATENCY_KEYS) if (!isNum(x[k])) out.push(`${at}.${k} must be a number`);
  if (isNum(x.p50) && isNum(x.p99) && x.p50 > x.p99) out.push(`${at}: p50 > p99`);
}

function checkCase(x: unknown, at: string, out: string[]): void {
  if (!isObj(x)) return void out.push(`${at} must be an object`);
  if (typeof x.name !== 'string' || !x.name) out.push(`${at}.name must be a non-empty string`);
  if (typeof x.group !== 'string') out.push(`${at}.group must be a string`);
  checkLatency(x.latency, `${at}.latency`, out);
  if (!isNum(x.rate)) out.push(`${at}.rate must be a number`);
  if (!isNum(x.errors)) out.push(`${at}.errors must be a number`);
  if (!Array.isArray(x.invalid)) out.push(`${at}.invalid must be an array`);
  if (!isObj(x.spread) || !isObj(x.spread.p50) || !isObj(x.spread.rate))
    out.push(`${at}.spread must have p50 and rate`);
  if (!Array.isArray(x.runs) || !x.runs.length) return void out.push(`${at}.runs must be a non-empty array`);
  x.runs.forEach((r, i) => {
    if (!isObj(r)) return void out.push(`${at}.runs[${i}] must be an object`);
    checkLatency(r.latency, `${at}.runs[${i}].latency`, out);
    for (const k of ['run', 'rate', 'calls', 'errors', 'elapsedMs'])
      if (!isNum(r[k])) out.push(`${at}.runs[${i}].${k} must be a number`);
  });
}

export function validateReport(x: unknown): string[] {
  const out: string[] = [];
  if (!isObj(x)) return ['the report must be an object'];
  if (x.schema !== SCHEMA) out.push(`schema must be "${SCHEMA}"`);
  if (!['core', 'http', 'ws', 'recall'].includes(x.kind as string)) out.push('kind must be core, http, ws or recall');
  if (typeof x.createdAt !== 'string' || Number.isNaN(Date.parse(x.createdAt)))
    out.push('createdAt must be an ISO date');
  if (!isObj(x.env) || typeof x.env.node !== 'string' || !isNum(x.env.cpus))
    out.push('env must fingerprint node and cpus');
  if (!isObj(x.config)) out.push('config must be an object');
  if (!Array.isArray(x.results)) out.push('results must be an array');
  else x.results.forEach((r, i) => checkCase(r, `results[${i}]`, out));
  for (const k of ['skipped', 'invalid', 'thresholds']) if (!Array.isArray(x[k])) out.push(`${k} must be an array`);
  if (x.baseline !== null && !isObj(x.baseline)) out.push('baseline must be an object or null');
  const v = x.verdict;
  if (
    !isObj(v) ||
    !['pass', 'threshold-breach', 'regression', 'invalid'].includes(v.status as string) ||
    !isNum(v.exitCode) ||
    !Array.isArray(v.reasons)
  ) {
    out.push('verdict must have status, exitCode and reasons');
  }
  return out;
}
