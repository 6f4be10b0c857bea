/**
 * The socket agent of an emulation: ONE Python 3 process for all its namespaces
 * (`python3 -c AGENT_SOURCE`). A socket belongs to the network namespace its process was in when
 * it was created, and stays there: before it creates a socket, the agent enters the namespace the
 * command names with setns(2) on `/var/run/netns/<ns>` (the file `ip netns add` creates), so one
 * process serves every namespace instead of one process per namespace.
 *
 * It reads one JSON command per line on stdin and answers one JSON line per command on stdout:
 * - `listen {ns, proto, addr, port}`: a TCP server that sends one byte to each client and closes
 *   first (or relays it, see `relay`), or a UDP socket that answers each datagram;
 * - `connect {ns, proto, host, port, laddr, lport, timeout}`: a TCP handshake (then the server's
 *   byte, then its close) or a UDP request and its answer, from an explicit source address and port;
 * - `relay {ns, port, host, tport, laddr, timeout}`: from now on, a client of `port` in `ns` is
 *   answered only after a new connection from `laddr` to `host:tport` got its byte (a load balancer
 *   that opens its own connection to a target); without `host`, stop relaying;
 * - `setup {ns, sysctl, nft}`: writes `key=value` kernel settings through /proc/sys (unknown keys
 *   are skipped, as `sysctl -e` does) and loads an nftables rule set through libnftables, both in
 *   `ns`, without starting a process.
 * Answers: `{id, ok, err?, ms?}`, `err` an errno name such as ECONNREFUSED, or `timeout`/`closed`.
 * I/O that is ready is always handled before a timer expires, so a busy agent does not count a
 * handshake that arrived as a timeout.
 *
 * @see https://man7.org/linux/man-pages/man2/setns.2.html
 * @see https://man7.org/linux/man-pages/man8/ip-netns.8.html
 */
export const AGENT_SOURCE = String.raw`
import ctypes, ctypes.util, errno, heapq, itertools, json, os, resource, selectors, socket, sys, time
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
try:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
    pass
sel = selectors.EpollSelector()
nsfds = {}
current = [None]
relays = {}
timers = []
nft = [None, None]

def enter(ns):
    if current[0] == ns:
        return
    fd = nsfds.get(ns)
    if fd is None:
        fd = nsfds[ns] = os.open('/var/run/netns/' + ns, os.O_RDONLY | os.O_CLOEXEC)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    current[0] = ns

def out(o):
    sys.stdout.write(json.dumps(o) + '\n')

def code(e):
    return errno.errorcode.get(e.errno, str(e)) if isinstance(e, OSError) and e.errno else str(e)

def watch(s, events, fn):
    try:
        sel.modify(s, events, fn)
    except KeyError:
        sel.register(s, events, fn)

def forget(s):
    try:
        sel.unregister(s)
    except (KeyError, ValueError):
        pass
    try:
        s.close()
    except OSError:
        pass

seq = itertools.count()
def later(ms, fn):
    t = [time.monotonic() + ms / 1000.0, fn, True]
    heapq.heappush(timers, (t[0], next(seq), t))
    return t

def tcp(ns, laddr=None, lport=0):
    enter(ns)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if laddr:
        s.bind((laddr, lport))
    s.setblocking(False)
    return s

def start_connect(s, host, port):
    r = s.connect_ex((host, port))
    if r not in (0, errno.EINPROGRESS):
        raise OSError(r, os.strerror(r))

def answer(c):
    try:
        c.send(b'k')
    except OSError:
        pass
    forget(c)

def relayed(ns, c, r):
    state = {'ok': False}
    try:
        u = tcp(ns, r['laddr'])
        start_connect(u, r['host'], r['tport'])
    except OSError:
        forget(c)
        return
    def give_up():
        forget(u)
        forget(c)
    t = later(r['timeout'], give_up)
    def on_u(mask):
        if not state['ok'] and mask & selectors.EVENT_WRITE:
            if u.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                t[2] = False
                give_up()
                return
            watch(u, selectors.EVENT_READ, on_u)
        if mask & selectors.EVENT_READ:
            try:
                data = u.recv(4096)
            except OSError:
                data = b''
            if data and not state['ok']:
                state['ok'] = True
                t[2] = False
                answer(c)
            elif not data:
                forget(u)
                if not state['ok']:
                    t[2] = False
                    forget(c)
    watch(u, selectors.EVENT_READ | selectors.EVENT_WRITE, on_u)

def listen(m):
    ns = m['ns']
    try:
        enter(ns)
        if m['proto'] == 'tcp':
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((m['addr'], m['port']))
            s.listen(4096)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((m['addr'], m['port']))
        s.setblocking(False)
    except OSError as e:
        out({'id': m['id'], 'ok': False, 'err': code(e)})
        return
    port = m['port']
    if m['proto'] == 'tcp':
        def on_accept(mask):
            while True:
                try:
                    c, _ = s.accept()
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    return
                c.setblocking(False)
                r = relays.get((ns, port))
                if r is None:
                    answer(c)
                else:
                    relayed(ns, c, r)
        sel.register(s, selectors.EVENT_READ, on_accept)
    else:
        def on_datagram(mask):
            while True:
                try:
                    _, peer = s.recvfrom(2048)
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    continue
                try:
                    s.sendto(b'k', peer)
                except OSError:
                    pass
        sel.register(s, selectors.EVENT_READ, on_datagram)
    out({'id': m['id'], 'ok': True})

def connect(m):
    t0 = time.monotonic()
    st = {'fin': False, 'got': False, 'connected': False}
    sock = [None]
    def done(ok, err):
        if st['fin']:
            return
        st['fin'] = True
        t[2] = False
        if sock[0] is not None:
            forget(sock[0])
        o = {'id': m['id'], 'ok': ok, 'ms': int((time.monotonic() - t0) * 1000)}
        if err is not None:
            o['err'] = err
        out(o)
    t = later(m['timeout'], lambda: done(st['got'], None if st['got'] else 'timeout'))
    try:
        if m['proto'] == 'tcp':
            s = sock[0] = tcp(m['ns'], m['laddr'], m['lport'])
            start_connect(s, m['host'], m['port'])
            def on_tcp(mask):
                if not st['connected'] and mask & selectors.EVENT_WRITE:
                    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if e:
                        done(False, errno.errorcode.get(e, str(e)))
                        return
                    st['connected'] = True
                    watch(s, selectors.EVENT_READ, on_tcp)
                if mask & selectors.EVENT_READ:
                    try:
                        data = s.recv(4096)
                    except (BlockingIOError, InterruptedError):
                        return
                    except OSError as e:
                        done(st['got'], None if st['got'] else code(e))
                        return
                    if data:
                        st['got'] = True
                    else:
                        # The server closes first, so the client's port is free again at once (no TIME_WAIT on our side).
                        done(st['got'], None if st['got'] else 'closed')
            watch(s, selectors.EVENT_READ | selectors.EVENT_WRITE, on_tcp)
        else:
            enter(m['ns'])
            s = sock[0] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((m['laddr'], m['lport']))
            s.setblocking(False)
            def on_udp(mask):
                try:
                    s.recvfrom(2048)
                except (BlockingIOError, InterruptedError):
                    return
                except OSError as e:
                    done(False, code(e))
                    return
                done(True, None)
            watch(s, selectors.EVENT_READ, on_udp)
            s.sendto(b'p', (m['host'], m['port']))
    except OSError as e:
        done(False, code(e))

def setup(m):
    try:
        enter(m['ns'])
        for kv in m.get('sysctl') or []:
            key, value = kv.split('=', 1)
            try:
                with open('/proc/sys/' + key.replace('.', '/'), 'w') as f:
                    f.write(value)
            except FileNotFoundError:
                pass
        rules = m.get('nft') or ''
        if rules:
            if nft[0] is None:
                try:
                    lib = ctypes.CDLL('libnftables.so.1')
                except OSError:
                    lib = ctypes.CDLL(ctypes.util.find_library('nftables') or 'libnftables.so')
                lib.nft_ctx_new.restype = ctypes.c_void_p
                lib.nft_ctx_new.argtypes = [ctypes.c_uint32]
                lib.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
                lib.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
                lib.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
                lib.nft_ctx_free.argtypes = [ctypes.c_void_p]
                lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
                nft[0] = lib
            lib = nft[0]
            # A context per namespace: its netlink socket is opened in the namespace it is created in.
            ctx = lib.nft_ctx_new(0)
            try:
                lib.nft_ctx_buffer_error(ctx)
                if lib.nft_run_cmd_from_buffer(ctx, rules.encode()) != 0:
                    err = (lib.nft_ctx_get_error_buffer(ctx) or b'').decode(errors='replace').strip()
                    out({'id': m['id'], 'ok': False, 'err': 'nft: ' + err})
                    return
            finally:
                lib.nft_ctx_free(ctx)
        out({'id': m['id'], 'ok': True})
    except OSError as e:
        out({'id': m['id'], 'ok': False, 'err': code(e) + ' ' + str(e)})

pending = [b'']
def on_stdin(mask):
    try:
        chunk = os.read(0, 65536)
    except (BlockingIOError, InterruptedError):
        return
    if not chunk:
        sys.stdout.flush()
        os._exit(0)
    data = pending[0] + chunk
    lines = data.split(b'\n')
    pending[0] = lines.pop()
    for line in lines:
        if not line.strip():
            continue
        m = json.loads(line)
        op = m.get('op')
        if op == 'listen':
            listen(m)
        elif op == 'connect':
            connect(m)
        elif op == 'relay':
            if m.get('host'):
                relays[(m['ns'], m['port'])] = m
            else:
                relays.pop((m['ns'], m['port']), None)
            out({'id': m['id'], 'ok': True})
        elif op == 'setup':
            setup(m)
        else:
            out({'id': m['id'], 'ok': False, 'err': 'unknown op'})

os.set_blocking(0, False)
sel.register(0, selectors.EVENT_READ, on_stdin)
while True:
    while timers and not timers[0][2][2]:
        heapq.heappop(timers)
    wait = max(0.0, timers[0][0] - time.monotonic()) if timers else None
    for key, mask in sel.select(wait):
        key.data(mask)
    # Ready I/O first (above, and once more what arrived meanwhile), then the timers that are due.
    now = time.monotonic()
    if timers and timers[0][0] <= now:
        for key, mask in sel.select(0):
            key.data(mask)
    while timers and (not timers[0][2][2] or timers[0][0] <= now):
        t = heapq.heappop(timers)[2]
        if t[2]:
            t[2] = False
            t[1]()
    sys.stdout.flush()
`;

/** Exits non-zero, saying why, when the agent can't run: Python older than 3.6, no setns(2), no libnftables. */
export const AGENT_CHECK = String.raw`
import ctypes, ctypes.util, sys
if sys.version_info < (3, 6):
    sys.exit('Python 3.6 or later is needed, this is ' + sys.version.split()[0])
if not hasattr(ctypes.CDLL(None), 'setns'):
    sys.exit('the C library has no setns(2)')
try:
    ctypes.CDLL('libnftables.so.1')
except OSError:
    if not ctypes.util.find_library('nftables'):
        sys.exit('libnftables is missing: apt-get install -y nftables (Debian/Ubuntu)')
`;
