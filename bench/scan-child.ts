// bench/scan-in-process.js, for callers that start the scan child through tsx (bench/memory.ts, bench/scan-rounds.sh, older trees).
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./scan-in-process.js');
