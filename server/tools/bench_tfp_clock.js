// Preloaded (node -r) into TensorFlow Playground's bench.js by `nn-playground bench --tfp DIR --clock cpu`:
// its timer, process.hrtime.bigint(), then reads the process's CPU time (user + system) instead of the wall
// clock, as ours does with time.process_time(), so a machine shared with other work slows neither side's figure.
"use strict";
process.hrtime.bigint = () => {
  const u = process.cpuUsage();
  return BigInt(u.user + u.system) * 1000n;  // microseconds -> the nanoseconds bench.js expects
};
