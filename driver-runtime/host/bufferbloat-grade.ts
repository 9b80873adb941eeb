/**
 * The bufferbloat grade of extra latency under load, as DSLReports and LibreQoS's test
 * grade it: on the mean added latency, A+ < 5 ms, A < 30, B < 60, C < 200, D < 400, else F.
 */
export type Grade = 'A+' | 'A' | 'B' | 'C' | 'D' | 'F';

const MS = 1e6;

export function bufferbloatGrade(extraLatencyNs: number): Grade {
  if (extraLatencyNs < 5 * MS) return 'A+';
  if (extraLatencyNs < 30 * MS) return 'A';
  if (extraLatencyNs < 60 * MS) return 'B';
  if (extraLatencyNs < 200 * MS) return 'C';
  if (extraLatencyNs < 400 * MS) return 'D';
  return 'F';
}
