/**
 * The Python side of a `python` step with `runtime: pyodide`: source that the pyodide worker
 * (src/sandbox/pyodide_worker.ts) runs once when its interpreter starts, defining
 * `_lily_run(config_json)`, a coroutine that runs one step and returns its exit status (the
 * code may use top-level `await`: network calls in pyodide are JavaScript promises). It gives the
 * same `lily` module as the system runtime (python_runner.ts): typed inputs from
 * `$LILY_INPUT_<NAME>`, `lily.output(name, value)` writing `name=value` lines to
 * `$LILY_OUTPUT`; an exception prints a traceback of the user's frames only.
 *
 * One interpreter serves many steps (a warm worker per policy), so each step gets a fresh
 * `__main__` namespace, and after it the runner restores what a step could leave behind:
 * modules imported by the step are dropped from `sys.modules`, `builtins`, `sys.path`,
 * `sys.argv`, the standard streams and `os.environ` are put back, and every file the step
 * wrote into the in-memory file system is removed.
 *
 * An audit hook (PEP 578), active only while user code runs, refuses what a python step may
 * not do, with the policy line that would allow it: starting programs (pyodide's `os.system`
 * would reach the host through node's `child_process`; the worker has no `run` permission
 * either, so the hook is a clear message in front of the real boundary), `os.chdir`, and
 * compiling or executing strings. A refusal raises an exception the code cannot make go away:
 * the step fails with status 126 whatever the code does after it.
 * @module
 */
import {
  PYTHON_DENIED_STATUS,
  PYTHON_OUTPUT_SOURCE,
  type PythonCodeConfig,
} from "./python_output.ts";

/** The exit status of a step whose code the audit hook refused (as the system runtime). */
export const PYODIDE_DENIED_STATUS = PYTHON_DENIED_STATUS;

/** What `_lily_run` receives (JSON). */
export interface PyodideRunConfig extends PythonCodeConfig {
  /** The step's complete environment (`os.environ`). */
  env: Record<string, string>;
  /** The working directory (the project root, as on the host). */
  cwd: string;
  /** Whether the step may use the network (through `pyodide.http`, `js.fetch`). */
  network: boolean;
}

/** The runner's Python source (run once per interpreter; defines `_lily_run`). */
export const PYODIDE_RUNNER_SOURCE = String.raw`
import sys, os, builtins, json, traceback, linecache, shutil, posixpath, ast, inspect
${PYTHON_OUTPUT_SOURCE}

def _lily_setup():
    base_modules = frozenset(sys.modules)
    base_builtins = dict(builtins.__dict__)
    base_path = list(sys.path)
    base_streams = (sys.stdout, sys.stderr, sys.stdin)
    base_top = frozenset(os.listdir("/"))
    # Directories whose content a step may change but which exist in a fresh interpreter.
    scratch_dirs = ("/tmp", "/home/pyodide")
    site = [p for p in sys.path if p.endswith("site-packages")]
    base_site = {p: frozenset(os.listdir(p)) if posixpath.isdir(p) else frozenset() for p in site}
    getframe = sys._getframe
    state = {"active": False, "user_file": None, "step": "", "denied": None}

    class Denied(BaseException):
        """Raised by the audit hook; the step fails with status 126 even if code catches it."""

    def deny(event, what, allow):
        if state["denied"] is None:
            line = ""
            f = getframe(2)
            while f is not None:
                if f.f_code.co_filename == state["user_file"]:
                    line = " (%s:%d)" % (state["user_file"], f.f_lineno)
                    break
                f = f.f_back
            message = "lily: denied: %s (audit event %s)%s in python step %s; %s" % (what, event, line, state["step"], allow)
            state["denied"] = {"kind": event, "target": what, "message": message}
        state["active"] = False
        try:
            sys.__stderr__.write(state["denied"]["message"] + "\n")
        finally:
            state["active"] = True
        raise Denied(state["denied"]["message"])

    start_hint = "pyodide steps start no programs (the worker has no run permission); use runtime: system with the program listed in resources.binaries"
    code_hint = "python steps may not eval/exec/compile strings: write the code in the step"
    programs = ("os.system", "subprocess.Popen", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty")

    def hook(event, args):
        if not state["active"]:
            return
        if state["denied"] is not None:
            # Once refused, the step stays refused: code that catches the refusal is stopped
            # at its next audited operation (open, import, …), and the step fails anyway.
            raise Denied(state["denied"]["message"])
        if event in programs:
            what = "os.system(%r)" % (os.fsdecode(args[0]),) if event == "os.system" else "starting a program (%s)" % (event,)
            if event == "subprocess.Popen" and len(args) > 1:
                what = "starting program %r" % (args[0] if args[0] is not None else args[1],)
            deny(event, what, start_hint)
        if event == "os.chdir":
            deny(event, "os.chdir(%r)" % (args[0],), "python steps run in the project root; build paths with os.path.join(lily.project_root, ...) instead")
        if event == "compile" or event == "exec":
            f = getframe(1)
            if f is None or f.f_code.co_filename != state["user_file"]:
                return
            if event == "compile":
                src = args[0]
                shown = src.decode("utf-8", "replace") if isinstance(src, (bytes, bytearray)) else src if isinstance(src, str) else type(src).__name__
                deny(event, "compiling a string (%r)" % (shown[:60],), code_hint)
            deny(event, "exec/eval of a code object", code_hint)

    sys.addaudithook(hook)

    # Pyodide's subprocess refuses before its audit event (no fork here): raise the event
    # first, so a step that tries gets the same clear denial as os.system.
    import subprocess
    popen_init = subprocess.Popen.__init__

    def audited_init(self, args, *rest, **kwargs):
        sys.audit("subprocess.Popen", kwargs.get("executable"), args, kwargs.get("cwd"), kwargs.get("env"))
        return popen_init(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = audited_init

    def convert(kind, raw):
        if raw is None:
            return None
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            return raw.strip().lower() in ("true", "1", "yes")
        if kind == "json":
            return json.loads(raw)
        return raw

    def make_lily(cfg, inputs):
        step = cfg["step"]
        mod = type(sys)("lily")
        mod.__doc__ = "Lily's helper for python steps: inputs, input(name), output(name, value)."
        mod.inputs = inputs
        mod.step_id = step
        mod.project_root = cfg["env"].get("LILY_PROJECT_ROOT")
        mod.programs = {}

        def input(name, default=None):
            """The value of declared input name (typed), or default when it is absent."""
            if name not in inputs:
                raise KeyError("step %s declares no input %r (declared: %s)" % (step, name, ", ".join(sorted(inputs)) or "none"))
            value = inputs[name]
            return default if value is None else value

        def output(name, value):
            """Sets output name: bool as true/false, dict/list/None as JSON, others with str()."""
            record = _lily_output_record(name, value)
            with open(os.environ["LILY_OUTPUT"], "a", encoding="utf-8") as out:
                out.write(record)

        mod.input = input
        mod.output = output
        return mod

    def show(e, user):
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != user:
            tb = tb.tb_next
        kept = []
        t = tb
        while t is not None:
            if t.tb_frame.f_code.co_filename != RUNNER_FILE:
                kept.append(t)
            t = t.tb_next
        for i, t in enumerate(kept):
            t.tb_next = kept[i + 1] if i + 1 < len(kept) else None
        tb = kept[0] if kept else None
        e.__traceback__ = tb
        sys.stderr.write("".join(traceback.format_exception(type(e), e, tb)))

    def reset():
        for name in list(sys.modules):
            if name not in base_modules:
                del sys.modules[name]
        builtins.__dict__.clear()
        builtins.__dict__.update(base_builtins)
        sys.path[:] = base_path
        sys.argv[:] = [""]
        sys.stdout, sys.stderr, sys.stdin = base_streams
        os.environ.clear()
        os.chdir("/")
        for top in os.listdir("/"):
            if top not in base_top:
                shutil.rmtree("/" + top, ignore_errors=True)
        for d in scratch_dirs:
            if posixpath.isdir(d):
                for entry in os.listdir(d):
                    p = posixpath.join(d, entry)
                    if posixpath.isdir(p) and not posixpath.islink(p):
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        os.unlink(p)
        for d, names in base_site.items():
            if posixpath.isdir(d):
                for entry in os.listdir(d):
                    if entry not in names:
                        p = posixpath.join(d, entry)
                        if posixpath.isdir(p) and not posixpath.islink(p):
                            shutil.rmtree(p, ignore_errors=True)
                        else:
                            os.unlink(p)
        linecache.clearcache()

    async def run(config_json):
        cfg = json.loads(config_json)
        step = cfg["step"]
        state["step"], state["denied"] = step, None
        os.environ.clear()
        os.environ.update(cfg["env"])
        os.chdir(cfg["cwd"])
        try:
            if cfg["file"] is not None:
                filename = cfg["file"]
                with open(filename, "rb") as f:
                    source = f.read().decode("utf-8")
            else:
                filename = "<step " + step + ">"
                source = cfg["code"]
                linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            sys.argv[:] = [filename]
            inputs = {}
            for name, kind in cfg["inputs"].items():
                try:
                    inputs[name] = convert(kind, os.environ.get("LILY_INPUT_" + name.upper()))
                except ValueError as e:
                    sys.stderr.write("lily: input %r is not a valid %s: %s\n" % (name, kind, e))
                    return 1
            sys.modules["lily"] = make_lily(cfg, inputs)
            try:
                # Top-level await: network calls in pyodide are JavaScript promises.
                code = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
            except SyntaxError as e:
                sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
                sys.stderr.write("lily: step %s: the Python code does not compile (%s)\n" % (step, type(e).__name__))
                return 1
            main = type(sys)("__main__")
            main.__file__ = filename
            main.__builtins__ = builtins
            saved_main = sys.modules.get("__main__")
            sys.modules["__main__"] = main
            state["user_file"], state["active"] = filename, True
            status = 0
            try:
                result = eval(code, main.__dict__)
                if inspect.iscoroutine(result):
                    await result
            except SystemExit as e:
                status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                if not isinstance(e.code, (int, type(None))):
                    sys.stderr.write(str(e.code) + "\n")
            except Denied:
                status = ${PYODIDE_DENIED_STATUS}
            except BaseException as e:
                state["active"] = False
                show(e, filename)
                sys.stderr.write("lily: step %s: the Python code raised %s\n" % (step, type(e).__name__))
                status = 1
            finally:
                state["active"] = False
                if saved_main is not None:
                    sys.modules["__main__"] = saved_main
            if state["denied"] is not None:
                status = ${PYODIDE_DENIED_STATUS}
            for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                try:
                    stream.flush()
                except BaseException:
                    pass
            return status
        finally:
            state["active"] = False

    def denied():
        return json.dumps(state["denied"])

    return run, reset, denied

RUNNER_FILE = sys._getframe().f_code.co_filename
_lily_run, _lily_reset, _lily_denied = _lily_setup()
del _lily_setup
`;
