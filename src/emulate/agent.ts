/**
 * The socket agent run in each namespace (`ip netns exec <ns> node -e AGENT_SOURCE`): it reads
 * one JSON command per line on stdin and answers one JSON line per command on stdout.
 * - `listen {proto, addr, port}`: a TCP server that sends one byte to each client (or relays it, see
 *   `relay`), or a UDP socket that answers each datagram;
 * - `connect {proto, host, port, laddr, lport, timeout}`: a TCP handshake (then the server's byte)
 *   or a UDP request and its answer, from an explicit source address and port;
 * - `relay {port, host, tport, laddr, timeout}`: from now on, a client of `port` is answered only
 *   after a new connection from `laddr` to `host:tport` got its byte (a load balancer that opens
 *   its own connection to a target); without `host`, stop relaying.
 * Plain JavaScript so that it runs from both the compiled library and the TypeScript sources.
 */
export const AGENT_SOURCE = `
const net = require('net'); const dgram = require('dgram'); const readline = require('readline');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const relays = new Map();
function listen(m) {
  if (m.proto === 'tcp') {
    const s = net.createServer((c) => {
      c.on('error', () => {});
      const r = relays.get(m.port);
      if (!r) { c.end('k'); return; }
      const u = net.connect({ host: r.host, port: r.tport, localAddress: r.laddr });
      let ok = false;
      const t = setTimeout(() => { u.destroy(); c.destroy(); }, r.timeout);
      u.on('data', () => { if (!ok) { ok = true; clearTimeout(t); c.end('k'); } });
      u.on('error', () => { clearTimeout(t); c.destroy(); });
      u.on('close', () => { if (!ok) { clearTimeout(t); c.destroy(); } });
    });
    s.on('error', (e) => out({ id: m.id, ok: false, err: e.code }));
    s.listen({ port: m.port, host: m.addr, backlog: 4096 }, () => out({ id: m.id, ok: true }));
  } else {
    const s = dgram.createSocket('udp4');
    s.on('message', (msg, ri) => s.send('k', ri.port, ri.address));
    s.on('error', (e) => out({ id: m.id, ok: false, err: e.code }));
    s.bind(m.port, m.addr, () => out({ id: m.id, ok: true }));
  }
}
function connect(m) {
  const t0 = Date.now();
  let fin = false; let got = false; let t;
  const done = (ok, err, close) => { if (fin) return; fin = true; clearTimeout(t); close(); out({ id: m.id, ok, err, ms: Date.now() - t0 }); };
  // A busy process runs its timers before the I/O that arrived meanwhile: let that I/O in first.
  const later = (f) => () => setImmediate(() => setImmediate(f));
  if (m.proto === 'tcp') {
    const c = net.connect({ host: m.host, port: m.port, localAddress: m.laddr, localPort: m.lport });
    const close = () => c.destroy();
    t = setTimeout(later(() => done(got, got ? undefined : 'timeout', close)), m.timeout);
    c.on('data', () => { got = true; });
    c.on('error', (e) => done(got, got ? undefined : e.code, close));
    // The server closes first, so the client's port is free again at once (no TIME_WAIT on our side).
    c.on('close', () => done(got, got ? undefined : 'closed', close));
  } else {
    const s = dgram.createSocket('udp4');
    const close = () => { try { s.close(); } catch (e) {} };
    t = setTimeout(later(() => done(false, 'timeout', close)), m.timeout);
    s.on('message', () => done(true, undefined, close));
    s.on('error', (e) => done(false, e.code, close));
    s.bind({ port: m.lport, address: m.laddr }, () => s.send('p', m.port, m.host));
  }
}
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.op === 'listen') listen(m);
  else if (m.op === 'connect') connect(m);
  else if (m.op === 'relay') { if (m.host) relays.set(m.port, m); else relays.delete(m.port); out({ id: m.id, ok: true }); }
  else out({ id: m.id, ok: false, err: 'unknown op' });
});
process.stdin.on('end', () => process.exit(0));
`;
