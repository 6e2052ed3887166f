// The simulated host's Local Network privacy (TN3179) for one process: start a Node process with
// `--import <this file>` and SXL_SIM_HOST_FAULTS=local-network-denied, and its TCP connects to the
// simulated VMs' network (127.64.0.0/16, the sim's stand-in for vmnet's 192.168.64.0/24) fail as a
// process without the permission fails on macOS 15: `connect EHOSTUNREACH <ip>:<port>`. The kernel
// enforces this per process on a Mac; the sim can only do it inside the process, hence a preload.
import net from 'node:net';

const denied = (process.env.SXL_SIM_HOST_FAULTS ?? '')
  .split(',')
  .map((s) => s.trim())
  .includes('local-network-denied');

if (denied) {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function patchedConnect(...args) {
    // net.connect passes its normalised [options, callback] array; direct calls pass (options) or (port, host).
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
    const host = typeof options.host === 'string' ? options.host : '';
    if (!/^127\.64\.\d+\.\d+$/.test(host)) return connect.apply(this, args);
    const port = Number(options.port);
    const error = Object.assign(new Error(`connect EHOSTUNREACH ${host}:${port}`), {
      errno: -65,
      code: 'EHOSTUNREACH',
      syscall: 'connect',
      address: host,
      port,
    });
    this.connecting = true;
    process.nextTick(() => this.destroy(error));
    return this;
  };
}
