// Servers a benchmark runs in child processes of its own, so that a measured
// server's CPU and memory are its own: the parent forks the benchmark's script
// with `--server ...` arguments, and the child serves and answers the
// parent's requests for samples over IPC.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

/** Servers still running, killed if the parent ends early. */
const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Forks `script` with `args` and resolves once the child reports its port:
 * `{ origin, ask(type, args), stop() }`. `ask` sends a request the child's
 * handler of that type answers (see answerParent). BENCH_SERVER_FLAGS adds
 * Node flags to every server, e.g. `--max-semi-space-size=2` to see how much
 * of the RSS under load is V8's young generation.
 */
export async function forkServer(script, args, label = args[0]) {
  const child = fork(script, ['--server', ...args], {
    execArgv: ['--expose-gc', ...(process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean)],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const [message] = await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${label} server exited (${code}) before listening`);
    }),
  ]);
  let nextId = 0;
  const ask = (type, extra = {}) => {
    const id = ++nextId;
    return new Promise((resolve) => {
      const onMessage = (reply) => {
        if (reply.id !== id) return;
        child.off('message', onMessage);
        resolve(reply);
      };
      child.on('message', onMessage);
      child.send({ id, type, ...extra });
    });
  };
  return {
    origin: `http://127.0.0.1:${message.port}`,
    ask,
    async stop() {
      child.send({ type: 'stop' });
      await once(child, 'exit');
    },
  };
}

/**
 * In the child: answers the parent's requests with `handlers` (by type), plus
 * `sample` (CPU time, RSS, peak RSS) and `retained` (RSS and heap once the
 * garbage is collected), exits on `stop`, and reports the listening
 * `server`'s port.
 */
export function answerParent(server, handlers = {}) {
  const all = {
    sample: async () => ({
      cpu: process.cpuUsage(),
      rss: process.memoryUsage().rss,
      maxRss: process.resourceUsage().maxRSS * 1024,
    }),
    retained: async () => {
      globalThis.gc?.();
      await sleep(100);
      globalThis.gc?.();
      return { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed };
    },
    ...handlers,
  };
  process.on('message', async ({ id, type, ...args }) => {
    if (type === 'stop') process.exit(0);
    process.send({ id, ...(await all[type](args)) });
  });
  process.send({ port: server.address().port });
}

/** CPU milliseconds (user + system) of a `process.cpuUsage()` reading. */
export const cpuMs = (usage) => (usage.user + usage.system) / 1000;
