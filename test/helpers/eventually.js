import { setTimeout as delay } from 'node:timers/promises';
/**
 * Retries `fn` until it returns without throwing (an assertion that holds), or fails with its last
 * error once `timeoutMs` has passed. For what the server does in the background (audit flushes,
 * jobs, lockouts running out): the test waits exactly as long as needed, never a fixed time.
 */
export async function eventually(fn, opts = {}) {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    for (;;) {
        try {
            return await fn();
        }
        catch (e) {
            if (Date.now() >= deadline)
                throw e;
        }
        await delay(opts.intervalMs ?? 50);
    }
}
//# sourceMappingURL=eventually.js.map