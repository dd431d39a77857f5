import { createLocalLocks } from './keyed-lock.js';
import { createLocalLeases } from './leader-lease.js';
import { lockContract } from './lock-contract.js';

lockContract('in-process', async () => {
  const locks = createLocalLocks();
  const leases = createLocalLeases();
  return { a: locks, b: locks, la: leases, lb: leases };
});
