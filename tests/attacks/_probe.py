# A hostile step, run by tests/attacks/isolation_test.ts in each configuration: it tries the
# red team's escapes from inside the sandbox and writes what worked to probe.json (the test
# decides what must have failed). Arguments: the test's settings as JSON.
import ctypes, json, os, socket, sys

cfg = json.loads(sys.argv[1])
found = {}

status = open("/proc/self/status").read()
found["cap_eff"] = [l.split()[1] for l in status.splitlines() if l.startswith("CapEff")][0]
found["uid"] = os.getuid()

# Every environment this step can read, searched for the engine's secret.
leaks = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        if cfg["secret"].encode() in open(f"/proc/{pid}/environ", "rb").read():
            leaks.append(pid)
    except OSError:
        pass
found["environ_leaks"] = leaks

# Writing outside the roots through another process's root directory.
writes = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        with open(f"/proc/{pid}/root{cfg['outside']}/pwned-{pid}", "w") as f:
            f.write("x")
        writes.append(pid)
    except OSError:
        pass
found["proc_root_writes"] = writes

# Joining another process's network namespace, then reaching the test's server.
libc = ctypes.CDLL(None, use_errno=True)
joined = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
    except OSError:
        continue
    if libc.setns(fd, 0x40000000) == 0:
        try:
            s = socket.create_connection(("127.0.0.1", cfg["port"]), timeout=5)
            s.sendall(b"SETNS-ESCAPE")
            s.close()
            joined.append(pid)
        except OSError:
            pass
    os.close(fd)
found["setns_escapes"] = joined

# The engine: can this step signal it (signal 0 only asks)?
try:
    os.kill(cfg["engine_pid"], 0)
    found["engine_signalable"] = True
except OSError:
    found["engine_signalable"] = False

# Inherited descriptors: the caller's fd 5 (a TCP connection to the test's server).
fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
found["fds"] = [fd for fd in fds if fd > 2 and os.path.exists(f"/proc/self/fd/{fd}")]
try:
    os.write(5, b"FD-ESCAPE")
    found["fd5_write"] = True
except OSError:
    found["fd5_write"] = False

# The terminal.
try:
    os.close(os.open("/dev/tty", os.O_RDWR))
    found["tty"] = True
except OSError:
    found["tty"] = False

# A path unix socket of a service on the host.
try:
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect(cfg["unix_socket"])
    u.sendall(b"UNIX-ESCAPE")
    u.close()
    found["unix_socket"] = True
except OSError:
    found["unix_socket"] = False

# Lily's state: the project's .lily/ and the user cache, and Deno's cache (code Lily runs).
def readable(path):
    try:
        return open(path).read()
    except OSError:
        return None

found["dot_lily"] = readable(".lily/planted.txt")
found["user_cache"] = readable(cfg["user_cache_file"])
try:
    with open(os.path.join(cfg["deno_dir"], "pwned"), "w") as f:
        f.write("x")
    found["deno_dir_write"] = True
except OSError:
    found["deno_dir_write"] = False

with open("probe.json", "w") as f:
    json.dump(found, f)
