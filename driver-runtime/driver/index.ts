export * from './netlanes-driver.ts';
export * from './driver-options.ts';
export * from './driver-stats.ts';
export * from './classifier.ts';
