import { createLoginThrottle } from './login-throttle.js';
import { loginThrottleContract } from './login-throttle-contract.js';

loginThrottleContract('in-process', async (opts) => createLoginThrottle(opts));
