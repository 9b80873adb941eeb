export * from './rule-types.ts';
export * from './rule-validation.ts';
export * from './schedule.ts';
export * from './rule-matching.ts';
export * from './compiled-rules.ts';
