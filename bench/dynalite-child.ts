/**
 * dynalite in a process of its own, for the lifecycle bench (BENCH_DYNALITE=child): the
 * bench's own CPU time is then Klaxon's and the SDK's alone. Tells its parent the port, and
 * answers `cpu` with its CPU time so far (ms).
 */
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.on('message', (message) => {
  if (message === 'cpu') {
    const used = process.cpuUsage();
    process.send?.({ cpuMs: (used.user + used.system) / 1000 });
  } else if (message === 'stop') {
    server.close(() => process.exit(0));
  }
});
