/**
 * The Python side of a `python` step: a small runner the pinned interpreter starts with
 * `-I -B -c PROGRAM` (its configuration as a Python literal, then the runner). It builds the `lily` module (typed inputs, `lily.output`), installs
 * the audit hook (PEP 578) that refuses what a step may not do, then runs the user's code and
 * prints an exception as a traceback of the user's frames only. The runner itself is Python
 * source kept here as a string, so Lily ships as one module graph (no data file to locate).
 *
 * Exit statuses: the user's `sys.exit` status; 1 for an uncaught exception or a syntax error;
 * 126 when the audit hook refused something (the process ends at once, so user code cannot
 * catch the refusal and carry on); 125 when a package the step names is missing or drifted.
 * @module
 */
import {
  PYTHON_DENIED_STATUS,
  PYTHON_OUTPUT_SOURCE,
  type PythonCodeConfig,
} from "../sandbox/python_output.ts";

export { PYTHON_DENIED_STATUS };

/** The exit status when a package the step names is missing or not the pinned version. */
export const PYTHON_DRIFT_STATUS = 125;

/** What the runner receives as its one argument (JSON). */
export interface RunnerConfig extends PythonCodeConfig {
  /** Whether the step may open sockets (`resources.network` not false). */
  network: boolean;
  /** Programs Python code may start: pinned absolute path → the name listed. */
  programs: Record<string, string>;
  /** Packages the step names → the version \`lily sync\` pinned (null: not taken yet). */
  packages: Record<string, string | null>;
}

/**
 * The runner's Python source. The program `-c` runs is `_cfg = <a Python literal of the
 * RunnerConfig>` followed by this (see {@linkcode runnerProgram}): no `json` import to read the
 * configuration, and `json`, `traceback`, `linecache` are imported only when used (they cost
 * more than the rest of the runner's start).
 */
export const RUNNER_SOURCE = String.raw`
import sys, os
${PYTHON_OUTPUT_SOURCE}
_RUNNER_FILE = sys._getframe().f_code.co_filename
_STEP = _cfg["step"]
if _cfg["file"] is not None:
    _FILENAME = _cfg["file"]
    with open(_FILENAME, "rb") as _f:
        _SOURCE = _f.read().decode("utf-8")
else:
    _FILENAME = "<step " + _STEP + ">"
    _SOURCE = _cfg["code"]
sys.argv[:] = [_FILENAME]

def _lines():
    import linecache
    if _cfg["file"] is None:
        linecache.cache[_FILENAME] = (len(_SOURCE), None, _SOURCE.splitlines(True), _FILENAME)

def _convert(name, kind, raw):
    if raw is None:
        return None
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw.strip().lower() in ("true", "1", "yes")
    if kind == "json":
        import json
        return json.loads(raw)
    return raw

if _cfg["packages"]:
    import importlib.metadata as _metadata
    for _name, _pinned in sorted(_cfg["packages"].items()):
        try:
            _found = _metadata.version(_name)
        except _metadata.PackageNotFoundError:
            sys.stderr.write("lily: step %s: python package %s is not installed for %s\n" % (_STEP, _name, sys.executable))
            sys.exit(${PYTHON_DRIFT_STATUS})
        if _pinned is not None and _found != _pinned:
            sys.stderr.write("lily: step %s: python package %s is %s here, the lock pins %s (drift); re-pin with lily lock refresh LOCK then lily sync LOCK\n" % (_STEP, _name, _found, _pinned))
            sys.exit(${PYTHON_DRIFT_STATUS})

_inputs = {}
for _name, _kind in _cfg["inputs"].items():
    _raw = os.environ.get("LILY_INPUT_" + _name.upper())
    try:
        _inputs[_name] = _convert(_name, _kind, _raw)
    except ValueError as _e:
        sys.stderr.write("lily: input %r is not a valid %s: %s\n" % (_name, _kind, _e))
        sys.exit(1)

_lily = type(sys)("lily")
_lily.__doc__ = "Lily's helper for python steps: inputs, input(name), output(name, value)."
_lily.inputs = _inputs
_lily.step_id = _STEP
_lily.project_root = os.environ.get("LILY_PROJECT_ROOT")

def _input(name, default=None):
    """The value of declared input name (typed), or default when it is absent."""
    if name not in _inputs:
        raise KeyError("step %s declares no input %r (declared: %s)" % (_STEP, name, ", ".join(sorted(_inputs)) or "none"))
    value = _inputs[name]
    return default if value is None else value

def _output(name, value):
    """Sets output name: bool as true/false, dict/list/None as JSON, others with str()."""
    record = _lily_output_record(name, value)
    with open(os.environ["LILY_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(record)

_lily.programs = {_listed: _path for _path, _listed in _cfg["programs"].items()}
_lily.input = _input
_lily.output = _output
sys.modules["lily"] = _lily

try:
    _CODE = compile(_SOURCE, _FILENAME, "exec", dont_inherit=True)
except SyntaxError as _e:
    import traceback
    _lines()
    sys.stderr.write("".join(traceback.format_exception_only(type(_e), _e)))
    sys.stderr.write("lily: step %s: the Python code does not compile (%s)\n" % (_STEP, type(_e).__name__))
    sys.exit(1)

def _install(step, user_file, programs, network, deny_status):
    # Everything the hook uses is bound here, in its closure: user code can rebind module
    # attributes (os.path.realpath, os._exit, __main__'s globals) but not these locals.
    import posixpath
    getframe, write_err, exit_now = sys._getframe, sys.__stderr__.write, os._exit
    realpath, isfile, access, X_OK = posixpath.realpath, posixpath.isfile, os.access, os.X_OK
    join, basename, fsdecode, environ, pathsep = posixpath.join, posixpath.basename, os.fsdecode, os.environ, os.pathsep
    PathLike = os.PathLike
    allowed = {}
    for path, listed in programs.items():
        allowed[realpath(path)] = listed
    listed_names = ", ".join(sorted(set(allowed.values()))) or "none"
    sockets = frozenset(("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
                         "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
                         "socket.getnameinfo"))
    program_events = {"subprocess.Popen": 0, "os.exec": 0, "os.spawn": 1, "os.posix_spawn": 0}
    start_hint = "start a program with subprocess.run([PROGRAM, ...]) with PROGRAM listed in resources.binaries"
    code_hint = "python steps may not eval/exec/compile strings: write the code in the step"
    busy = [False]

    def user_line():
        f = getframe(3)
        while f is not None:
            if f.f_code.co_filename == user_file:
                return " (%s:%d)" % (user_file, f.f_lineno)
            f = f.f_back
        return ""

    def deny(event, what, allow):
        busy[0] = True
        for stream in (sys.stdout, sys.__stdout__):
            try:
                stream.flush()
            except BaseException:
                pass
        try:
            write_err("lily: denied: %s (audit event %s)%s in python step %s; %s\n" % (what, event, user_line(), step, allow))
            sys.__stderr__.flush()
        finally:
            exit_now(deny_status)

    def resolve(program):
        if "/" in program:
            return realpath(program)
        for d in environ.get("PATH", "").split(pathsep):
            candidate = join(d or ".", program)
            if isfile(candidate) and access(candidate, X_OK):
                return realpath(candidate)
        return None

    def hook(event, args):
        if busy[0]:
            return
        if event == "os.chdir":
            deny(event, "os.chdir(%r)" % (args[0],), "python steps run in the project root; build paths with os.path.join(lily.project_root, ...) instead")
        if event == "os.system":
            deny(event, "os.system(%r)" % (args[0],), "python steps start no shell; call subprocess.run([PROGRAM, ...]) with PROGRAM listed in resources.binaries")
        if event == "os.fork" or event == "os.forkpty":
            deny(event, "forking the interpreter" + (" (pty)" if event == "os.forkpty" else ""), "python steps may not fork; " + start_hint)
        if event in program_events:
            busy[0] = True
            try:
                i = program_events[event]
                a, argv = args[i], args[i + 1]
                if event == "subprocess.Popen" and a is None:
                    a = argv[0] if isinstance(argv, (list, tuple)) and argv else argv
                ok = isinstance(a, (str, bytes, PathLike))
                name = fsdecode(a) if ok else repr(a)
                real = resolve(name) if ok else None
            finally:
                busy[0] = False
            pinned = {v: k for k, v in allowed.items()}.get(basename(name))
            if real not in allowed and pinned is not None:
                deny(event, "starting program %r (%s, not the pinned %s)" % (name, real or "not found", pinned), "start the pinned file: subprocess.run([lily.programs[%r], ...])" % (basename(name),))
            if real is None or real not in allowed:
                deny(event, "starting program %r" % (name,), "list it in resources: { binaries: [%s] } to let this step start it (listed now: %s)" % (basename(name), listed_names))
            return
        if event in sockets and not network:
            target = args[1] if event in ("socket.connect", "socket.bind", "socket.sendto") and len(args) > 1 else args[0]
            deny(event, "%s %r" % (event, target), "allow the network with resources: { network: true } (or a list of hosts)")
        if event == "compile" or event == "exec":
            # The frame that called the builtin raising the event (hook → its caller).
            f = getframe(1)
            if f is None or f.f_code.co_filename != user_file:
                return
            if event == "compile":
                src = args[0]
                shown = src.decode("utf-8", "replace") if isinstance(src, (bytes, bytearray)) else src if isinstance(src, str) else type(src).__name__
                deny(event, "compiling a string (%r)" % (shown[:60],), code_hint)
            deny(event, "exec/eval of a code object", code_hint)

    sys.addaudithook(hook)

# The user's code runs as __main__ in a module of its own (import __main__ finds it, pickle of
# its classes works); the runner's names are not reachable from it.
_main = type(sys)("__main__")
_main.__file__ = _FILENAME
_main.__builtins__ = __builtins__
sys.modules["__main__"] = _main
_USER = {_FILENAME}
_install(_STEP, _FILENAME, _cfg["programs"], _cfg["network"], ${PYTHON_DENIED_STATUS})
del _install
try:
    exec(_CODE, _main.__dict__)
except SystemExit:
    raise
except BaseException as _e:
    import traceback
    _lines()
    _tb = _e.__traceback__
    while _tb is not None and _tb.tb_frame.f_code.co_filename not in _USER:
        _tb = _tb.tb_next
    # From the user's first frame on, drop the runner's own frames (lily.input raising
    # KeyError runs in the runner's "<string>" code): what stays is the user's and libraries'.
    _kept = []
    _t = _tb
    while _t is not None:
        if _t.tb_frame.f_code.co_filename != _RUNNER_FILE:
            _kept.append(_t)
        _t = _t.tb_next
    for _i, _t in enumerate(_kept):
        _t.tb_next = _kept[_i + 1] if _i + 1 < len(_kept) else None
    _tb = _kept[0] if _kept else None
    _e.__traceback__ = _tb
    sys.stderr.write("".join(traceback.format_exception(type(_e), _e, _tb)))
    sys.stderr.write("lily: step %s: the Python code raised %s\n" % (_STEP, type(_e).__name__))
    for _stream in (sys.stdout, sys.stderr):
        try:
            _stream.flush()
        except Exception:
            pass
    os._exit(1)
`;

/** A Python literal of a JSON-like value (strings in JSON syntax, valid in Python too). */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "None";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  return `{${
    Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(", ")
  }}`;
}

/** The program `python -c` runs for a step: its configuration, then the runner. */
export function runnerProgram(config: RunnerConfig): string {
  return `_cfg = ${pythonLiteral(config)}\n${RUNNER_SOURCE}`;
}
