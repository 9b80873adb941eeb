/**
 * The bufferbloat grade of the wait an app's packets see, as DSLReports and LibreQoS grade
 * latency under load: on the mean added latency, A+ < 5 ms, A < 30, B < 60, C < 200, D < 400,
 * else F (the same thresholds as the simulator's reports).
 */
export type Grade = 'A+' | 'A' | 'B' | 'C' | 'D' | 'F';

const MS = 1e6;

export function gradeOf(meanNs: number): Grade {
  if (meanNs < 5 * MS) return 'A+';
  if (meanNs < 30 * MS) return 'A';
  if (meanNs < 60 * MS) return 'B';
  if (meanNs < 200 * MS) return 'C';
  if (meanNs < 400 * MS) return 'D';
  return 'F';
}

/** good / fair / poor, for the badge's colour (the letter always shows). */
export function gradeTone(g: Grade): 'good' | 'fair' | 'poor' {
  return g === 'A+' || g === 'A' ? 'good' : g === 'B' || g === 'C' ? 'fair' : 'poor';
}
