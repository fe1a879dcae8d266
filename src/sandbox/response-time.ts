import type { components } from '../../generated/schema.js';

/** The `time` object of an answer, as the contract describes it (seconds, with the portal's offset in the dates). */
export type ResponseTime = components['schemas']['ResponseTime'];

const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;

export function responseTime(startedMs: number, finishedMs: number, operating?: { operating: number; resetAt: number }): ResponseTime {
  const time: ResponseTime = {
    start: startedMs / 1000,
    finish: finishedMs / 1000,
    duration: (finishedMs - startedMs) / 1000,
    processing: (finishedMs - startedMs) / 1000,
    date_start: isoSeconds(startedMs),
    date_finish: isoSeconds(finishedMs),
  };
  if (operating) {
    time.operating = operating.operating;
    time.operating_reset_at = operating.resetAt;
  }
  return time;
}
