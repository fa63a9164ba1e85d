/**
 * Every error code Lily raises, each with a one-line summary: the one list that types
 * {@linkcode LilyError}'s code (a typo is a type error) and that tests check against the docs
 * both ways (tests/schema/error_codes_test.ts).
 *
 * Adding a code is one line here, in its family's block, and one row in the docs table of that
 * family (docs/errors.md, or the page it links for templates, expressions, running, sync).
 * Codes never change meaning; a retired code is not reused.
 * @module
 */

/** Code → summary (the docs table's "meaning" column, for the record). */
export const ERROR_CODES = {
  // Command line (E00xx): docs/errors.md
  "LILY-E0001": "unknown command",
  "LILY-E0002": "no workflow given",
  "LILY-E0003": "a bad flag or flag value",
  "LILY-E0004": "a `-p`/`-m` value is not `key=value` (or an empty sweep value)",
  "LILY-E0005": "`--why` names a step the lock does not have",
  "LILY-E0010": "a file could not be read or written (missing directory, permission, full disk)",
  "LILY-E0050": "`-p`/`--profile` with a lock target (a lock is frozen; compose the .petal)",
  "LILY-E0051": "a secret a selected step needs is not set (checked before any step starts)",
  "LILY-E0052": "a run id prefix (`lily runs show`, `lily logs`) matches several runs (listed)",
  "LILY-E0053": "`lily cache purge --namespace`: no such namespace (a lock's full spec_hash)",
  // Reading sources (E01xx): docs/errors.md
  "LILY-E0101": "the file cannot be read (missing, permission)",
  "LILY-E0102": "a directory was given where a file is expected",
  "LILY-E0103": "the file is over the size limit (8 MiB)",
  "LILY-E0104": "the file is not valid UTF-8",
  "LILY-E0110": "invalid YAML (syntax)",
  "LILY-E0111": "a map repeats a key",
  "LILY-E0112": "a YAML tag other than `!append` / `!replace` (e.g. `!!js/function`, `!include`)",
  "LILY-E0113": "nesting deeper than 64 levels",
  "LILY-E0114": "the document expands to more than 500,000 nodes (alias bomb)",
  "LILY-E0120": "a YAML merge key `<<` (not part of YAML 1.2; Petal does not merge maps this way)",
  "LILY-E0121": "`.inf` or `.nan` in a source (a lock, being JSON, cannot hold them)",
  // Schema (E02xx): docs/errors.md
  "LILY-E0201": "unknown field (with did-you-mean)",
  "LILY-E0202": "missing or unsupported `petal:` version",
  "LILY-E0203": "missing required field",
  "LILY-E0204": "a value not among the allowed ones (`uses: shel`)",
  "LILY-E0205": "wrong type or shape (a list where a map is expected…)",
  "LILY-E0206": "other constraint (duration format, id characters…)",
  "LILY-E0210":
    "a `uses:` step kind this version does not run (only a hand-edited lock: every Petal kind runs)",
  "LILY-E0211": "an `adapter:` not implemented yet in this version (`process` and `http` exist)",
  "LILY-E0212": "a lock names no `flow` source (edited by hand), so it cannot be composed again",
  "LILY-E0213": "a lock file given where a workflow is expected (`lily compose x.lock.yaml`)",
  // Composition (E03xx): docs/errors.md
  "LILY-E0301":
    "a patch changes the shape of what it overrides (map vs list vs value); names both places",
  "LILY-E0302": "a patch changes a step's `uses` (use `!replace`)",
  "LILY-E0303": "a required param has no value",
  "LILY-E0304": "unknown param (`-p`, `-m` or a profile)",
  "LILY-E0305": "a param value does not match its type",
  "LILY-E0306": "a secret param given a value (command line or file)",
  "LILY-E0307": "a param value not among its `choices`",
  "LILY-E0308": "`extends` forms a cycle (the cycle is shown)",
  "LILY-E0309": "a source is empty or not a map",
  "LILY-E0310": "the `extends` base does not exist",
  "LILY-E0311": "an overlay does not exist",
  "LILY-E0312": "an overlay uses `extends`",
  "LILY-E0313": "profile not found",
  "LILY-E0314": "`!append` adds a step whose id exists",
  "LILY-E0320":
    "warning: an untrusted `.lilyrc` was ignored ([security.md](security.md#which-lilyrc-is-trusted))",
  "LILY-E0321":
    "warning: a step reads a file it does not declare ([cache.md](cache.md#declare-what-a-step-reads))",
  "LILY-E0322":
    "a workflow output is not `name: steps.<id>.outputs.<name>` (or `{from, type}`), or is repeated",
  "LILY-E0323": "a workflow output reads a step that is not defined",
  "LILY-E0324": "a workflow output names an output its step does not declare",
  "LILY-E0325": "a workflow output's `type:` is unknown or does not accept its source's type",
  // Templates (E04xx): docs/templates.md
  "LILY-E0401": "template syntax error",
  "LILY-E0402": "a refused tag (`include`, `import`, `from`, `extends`, `block`, `macro`, `call`)",
  "LILY-E0403": "an undefined or null value (did-you-mean)",
  "LILY-E0404": "a refused member (`constructor`, `__proto__`, a function's member…)",
  "LILY-E0405": "calling something that is not `range`/`now`/`uuid`/`env`",
  "LILY-E0406": "rendering a map, list or function",
  "LILY-E0407": "unknown (or removed) filter",
  "LILY-E0408": "a limit: loop iterations, output size, recursion",
  "LILY-E0410": "a secret param in a template",
  "LILY-E0412": "a host variable not allowed by `template_env`, or unset",
  "LILY-E0413": "a bad filter argument",
  "LILY-E0414": "template text over 64 KiB",
  // Expressions (E05xx): docs/expressions.md
  "LILY-E0501": "the expression is longer than 4096 characters",
  "LILY-E0502":
    "malformed number (`007`, `1.`, `12abc`), or a number out of range (`1e400`, > 2^53 − 1)",
  "LILY-E0503":
    "unexpected character (`=`, `===`, `&`, `+`, a minus after a value, `${{`, non-ASCII…)",
  "LILY-E0504": "unknown escape in a string",
  "LILY-E0505": "unclosed string",
  "LILY-E0506":
    "syntax error: empty condition, unexpected token, unclosed `(` or `[`, early end, chained comparison",
  "LILY-E0507":
    "unknown or malformed name (with did-you-mean), or a step not in the transitive `needs`",
  "LILY-E0508": "unknown function, or arguments given to a status function",
  "LILY-E0509": "a boolean is needed (`&&`, `||`, `!`, the whole condition)",
  "LILY-E0510": "ordering (`<` `<=` `>` `>=`) across types, or of lists, booleans or null",
  "LILY-E0511":
    "`in` with a right side that is not a list or a string, or a non-string `in` a string",
  "LILY-E0512": "run time: a value of type `any` has the wrong type (fails the step)",
  "LILY-E0513": "the expression nests too deeply (more than 64 levels)",
  "LILY-E0514": "a secret param in a condition",
  "LILY-E0515": "run time: the lock's compiled condition is not a valid AST (hand-edited lock)",
  // JSON schemas (E053x): docs/errors.md
  "LILY-E0530": "a `schema:` cannot be applied ([petal.md](petal.md#json-schemas) lists why)",
  "LILY-E0531": "a `schema:` on an input or output that is not `type: json`",
  "LILY-E0532": "a param's value does not match the schema of an input it flows into",
  // Plan (E06xx): docs/errors.md
  "LILY-E0601": "two steps share an id",
  "LILY-E0602": "`needs` names an undefined step",
  "LILY-E0603": "a step needs itself",
  "LILY-E0604": "the steps form a cycle (the cycle is shown)",
  "LILY-E0605": "`from:` is not `steps.<id>.outputs.<name>` or `params.<name>`",
  "LILY-E0606": "an input's type does not accept its source's type",
  "LILY-E0607": "an input reads a step that is not in the step's (transitive) `needs`",
  "LILY-E0608": "an input reads an output the step does not declare (undeclared data flow)",
  "LILY-E0609": "a secret flows into an input that is not `type: secret`",
  "LILY-E0610": "an input has neither `from:` nor `path:`",
  "LILY-E0611": "an input or output path is absolute or leaves the project",
  "LILY-E0612": "a `shell` step has no `with.run`",
  "LILY-E0613": "a `process` step has no valid `with.argv`",
  "LILY-E0614": "an output has `from:` (outputs are written by the step)",
  "LILY-E0615": "an input reads an undeclared param",
  "LILY-E0616": "an input reads an undefined step",
  "LILY-E0617": "a step starts a program its policy does not allow (see [shell.md](shell.md))",
  "LILY-E0618": "a `shell` script is not valid in Lily's shell ([shell.md](shell.md))",
  "LILY-E0619": "`with.shell` names a program that is not allowed (or is not a name)",
  // Template values in shell scripts (E0630–E0649): docs/templates.md, docs/errors.md
  "LILY-E0630":
    "taint check: a value would not be one literal piece of text (it would change the script)",
  "LILY-E0631":
    "a value in a place Lily cannot escape for (`${X:-…}`, backticks, a comment line break…)",
  "LILY-E0632": "a value in `$(( … ))` is not an integer",
  "LILY-E0633":
    "the shell is not POSIX, or the script cannot be parsed, so values cannot be placed",
  "LILY-E0634": "GitHub-style `${{ … }}` in a script",
  "LILY-E0635":
    "a positional parameter (`$1`, `$@`, `$*`, `$#`) outside functions, without `set --`",
  "LILY-E0636":
    "a value in text that a command runs as code (`eval`, `sh -c`, `trap`, `.`/`source`)",
  "LILY-E0637":
    "a value in an interpreter's code (awk/sed program, `python -c`, `perl -e`, `node -e`, jq filter)",
  // Lily's shell (E0650–E0669): docs/errors.md
  "LILY-E0650": "a `shell` script nests deeper than Lily's shell parses (`$(( ((…)) ))`, `$(…)`)",
  // Python steps (E067x–E068x): docs/errors.md
  "LILY-E0670": "a `python` step needs exactly one of `with.code` and `with.file`",
  "LILY-E0671": "`with.file` of a `python` step is absolute or leaves the project",
  "LILY-E0672": "`with.runtime` is unknown",
  "LILY-E0673": "`with.python` is not a program name or path",
  "LILY-E0674": "`with.packages` is not a list of package names",
  "LILY-E0675": "an unknown field in a `python` step's `with:`",
  "LILY-E0676": "a `python` step declares the reserved input `_python_file`",
  "LILY-E0677": "`with.code` is over 96 KiB (use `with.file`)",
  "LILY-E0678": "`with.code` templates a param into Python source (pass it as an input)",
  "LILY-E0679": "`with.file` of a `python` step is not a file of the project (at compose)",
  "LILY-E0680": "`lily sync`: a python package does not import with the pinned interpreter",
  "LILY-E0681": "`run --locked`: a python package's version differs from the lock's pin",
  "LILY-E0682": "`runtime: pyodide` with `with.packages` (no wheels ship offline)",
  "LILY-E0683": "`with.python` on a `runtime: pyodide` step",
  "LILY-E0684": "`adapter: python` on a step that is not `runtime: pyodide` (or the reverse)",
  "LILY-E0685": "the pyodide interpreter did not start, or its worker stopped",
  "LILY-E0686": "a pyodide step's file input cannot be copied into the interpreter",
  // Lock files (E07xx): docs/errors.md
  "LILY-E0701": "the lock file cannot be read",
  "LILY-E0702": "not a valid lock (broken YAML, truncated, edited by hand)",
  "LILY-E0703": "unsupported lock schema version",
  "LILY-E0720": "a project tool (`./tools/x` in `binaries`) resolves outside the project",
  "LILY-E0721": "`lily sync --version-timeout` is not a duration",
  // Lily's state, outputs and secrets (E073x, E087x): docs/errors.md
  "LILY-E0730": "a secret's source variable is passed to a step as plain `resources.env`",
  "LILY-E0731": "a condition reads `env.X` where `X` is a secret's source variable",
  "LILY-E0732": "`.lilyrc`'s `template_env` names a secret's source variable",
  "LILY-E0733": "a template filter would build more than the template output budget",
  // Cassettes of llm steps (E074x): docs/cassettes.md
  "LILY-E0740": "`lily run --cassettes` is not a record mode (once, new_episodes, none, all)",
  "LILY-E0741": "a request an llm step sends is not in its cassette, in a mode that only replays",
  "LILY-E0742": "a cassette file is not valid (broken YAML, a field of the wrong shape)",
  "LILY-E0743": "a cassette's format version (`lily_cassette:`) is not one this Lily reads",
  // Running (E08xx): docs/run.md
  "LILY-E0801": "`--only` names a step the lock does not have",
  "LILY-E0802": "`--from` names a step the lock does not have",
  "LILY-E0803": "`--locked`: the lock is out of date with its sources (or missing)",
  "LILY-E0804": "`lily runs show`: no such run",
  "LILY-E0812": "a step's script does not parse (a lock edited by hand)",
  "LILY-E0813": "the sandbox host of a step could not start, or died",
  "LILY-E0820": "denied: the step started a program its policy does not allow",
  "LILY-E0821": "denied: the step read a path outside its read roots (or `.lily/`)",
  "LILY-E0822": "denied: the step wrote a path outside its write roots",
  "LILY-E0823": "denied: the step passed a loader variable (`LD_PRELOAD`…)",
  "LILY-E0824": "denied: the step reached a host its policy does not allow",
  "LILY-E0830": "`--json` and `--events -` together (both would write to stdout)",
  "LILY-E0831": "`-m` with a lock (sweeps compose a workflow's params)",
  "LILY-E0832": "`lily logs RUN STEP`: the run has no such step",
  // Containers (E090x–E091x): docs/docker.md
  "LILY-E0900":
    "no container engine works here for `adapter: docker` (podman, or docker with its daemon)",
  "LILY-E0901": "a `docker` step has no `with.image`",
  "LILY-E0902": "`with.image` on a step whose adapter is not `docker`",
  "LILY-E0903":
    "`run --locked` or `sync`: an image's digest differs from the lock's pin (replaced under its tag)",
  "LILY-E0904": "a `docker` step's image is not on this machine and cannot be pulled",
  "LILY-E0905":
    "the container engine could not start a `docker` step (its exit 125), or the image lacks the step's program",
  "LILY-E0906":
    "a `docker` step's domain list cannot be enforced here (needs root for its network namespace)",
  "LILY-E0907":
    "`adapter: docker` on a step kind or field it cannot run (`process`, `with.shell`, `runtime: pyodide`)",
  "LILY-E0908": "`resources.memory` of a `docker` step is not a size (`512m`, `2g`)",
  "LILY-E0909": "`with.image` is not an image reference (`name[:tag]`, `name@sha256:…`)",
  "LILY-E0910": "`with.packages` on a `docker` python step (the image's packages are the image's)",
  // Lily's state (E087x–E088x): docs/errors.md
  "LILY-E0870": "a lock was edited after compose: its content does not hash to its `spec_hash`",
  // HTTP steps (E0920–E0939): docs/http.md
  "LILY-E0920": "`adapter: http` on a step kind it does not run (only `uses: tool`)",
  "LILY-E0921": "an unknown field in an http step's `with:`",
  "LILY-E0922": "`with.method` of an http step is not an HTTP method Lily sends",
  "LILY-E0923": "an http step's URL is missing, not absolute http(s), or has credentials",
  "LILY-E0924": "an http step's URL host is not in its `resources.network` (at compose)",
  "LILY-E0925": "an http step has both `body` and `body_from`, or a body on GET/HEAD",
  "LILY-E0926":
    "an http step's `*_from` names no input of the step, or one of a type it cannot send",
  "LILY-E0927": "an http step's `headers`/`query` entry is malformed or a header the client sets",
  "LILY-E0928": "an http step's `with.expect` or `with.redirects` is malformed",
  "LILY-E0929": "an http step declares an output it does not fill, or with the wrong type",
  "LILY-E0930": "an http request could not be sent (connection refused, DNS, TLS)",
  "LILY-E0931": "an http response's status is not an expected one",
  "LILY-E0932": "an http request redirected too many times, or to a URL that is not http(s)",
  "LILY-E0933":
    "an http response does not fit the step's outputs (not JSON, too large, unwritable)",
  // Tool steps (E0940–E0959): docs/tools.md, docs/errors.md
  "LILY-E0940": "a `tool` step has no `with.tool` (the name of a declared tool)",
  "LILY-E0941":
    "`with.tool` names a tool its adapter's file does not declare (or there is no file)",
  "LILY-E0942": "an unknown field in a `tool` step's `with:` (it takes `tool` and `args`)",
  "LILY-E0943": "`with.args` names an argument the tool does not declare (did-you-mean)",
  "LILY-E0944": "a required argument of the tool is missing from `with.args`",
  "LILY-E0945": "an argument's value has the wrong type (or `with.args` is not a map)",
  "LILY-E0946": "an argument's value is not one of its `enum` values",
  "LILY-E0947": "an input/output file argument is absolute, leaves the project or its roots",
  "LILY-E0948": "a file argument's input/output clashes with one the step declares",
  "LILY-E0949": "adapters/<adapter>.yaml: an unknown field (did-you-mean)",
  "LILY-E0950": "adapters/<adapter>.yaml: a field has the wrong type or value",
  "LILY-E0951": "adapters/<adapter>.yaml: a bad argv template (placeholder, brace, optional arg)",
  "LILY-E0952": "adapters/<adapter>.yaml: a bad version constraint, probe or pattern",
  "LILY-E0953": "`lily sync`: a tool's version does not satisfy its constraint",
  "LILY-E0954": "`lily sync`: a tool's version could not be read (probe failed, no match)",
  "LILY-E0955":
    "`run --locked`: a tool's pin drifted, or a constrained tool has no checked version",
  "LILY-E0956":
    "a tool argument's `from:` names no file output with a `path:` (or it is not an input)",
  "LILY-E0957": "two step outputs write the same file (one file has one writer)",
  "LILY-E0958": "the tools .yaml: a tool's binary is not installed, or its constraint is not text",
  // foreach and matrix (E0959–E0969): docs/foreach.md, docs/errors.md
  "LILY-E0959":
    "a foreach step has no `with.step`, an unknown `with:` field, or a field of the inner step",
  "LILY-E0960": "a foreach's `items` is missing, not a list or reference, or given with `matrix`",
  "LILY-E0961":
    "a foreach's `items` reference (`params.x`, `vars.x`, a step output) does not exist",
  "LILY-E0962": "a foreach's `items` reference is not a list (or the step output is not `json`)",
  "LILY-E0963": "a foreach item's key is empty or not safe in a file name",
  "LILY-E0964": "two items of one foreach have the same key",
  "LILY-E0965": "a bad `matrix` (an axis not a non-empty list, a bad `include`/`exclude` entry)",
  "LILY-E0966":
    "a foreach's `max_parallel` is not a positive integer, or `fail_fast` not a boolean",
  "LILY-E0967":
    "the inner step of a foreach is invalid (an `id`, a foreach or include, `item` at run time)",
  "LILY-E0968":
    "a foreach's `key` is not a key template (`{{ item }}`, `{{ item.f }}`, `{{ index }}`)",
  // include (E097x): docs/include.md
  "LILY-E0970":
    "an include step is malformed: `with.petal`/`with.params`, or a field an include cannot take",
  "LILY-E0971": "an included fragment does not exist (or is not a file)",
  "LILY-E0972": "an included fragment's path leaves the project (`../`, absolute, a symlink)",
  "LILY-E0973": "includes form a cycle (the chain is named)",
  "LILY-E0974": "an include gives a param its fragment does not declare",
  "LILY-E0975": "an include does not give a param its fragment requires",
  "LILY-E0976": "an include gives a param a value of the wrong type (or not one of its choices)",
  "LILY-E0977": "a reference to an include's output the fragment does not expose (or a bad one)",
  "LILY-E0978": "a fragment has a field fragments cannot have (extends, overlays, on_error…)",
  // Human gates (E0980–E0989): docs/human.md, docs/errors.md
  "LILY-E0980":
    "a human step's `with:` is malformed (no prompt, unknown field, bad answer type or on_false)",
  "LILY-E0981": "a human gate's `choices`: missing or bad for an `enum` gate, given for another",
  "LILY-E0982": "a human gate's `default` does not answer it (wrong type, not one of the choices)",
  "LILY-E0983":
    "a human step names an `adapter:` other than Lily's process, or an output other than `answer`",
  "LILY-E0984": "`--approve ID=VALUE`: malformed, or the value does not answer the gate",
  "LILY-E0985":
    "`--answers FILE`: unreadable, not a map of gate id → value, or a value of the wrong type",
  "LILY-E0986": "`--approve`/`--answers` names a gate (human step) the run does not have",
  "LILY-E0987":
    "a human gate needs an answer and there is no terminal (and no --approve/--answers)",
  "LILY-E0988":
    "a `bool` human gate was answered no (the step fails; `on_false: continue` to go on)",
  "LILY-E0989": "a human gate was not answered before the step's `timeout:`",
  // llm steps (E0990–E0999): docs/llm.md, docs/errors.md
  "LILY-E0990": "an unknown field in an llm step's `with:` (did-you-mean)",
  "LILY-E0991": "an llm step's `with.provider` is missing or unknown, or `with.model` is missing",
  "LILY-E0992": "an llm step's `with.base_url` is not an http(s) URL (or is given to `fake`)",
  "LILY-E0993":
    "an llm step's prompt, system, messages, temperature, seed, max_tokens or stream is malformed",
  "LILY-E0994": "an llm step's `adapter:` is not the default, or its `api_key` input is not secret",
  "LILY-E0995": "an llm step declares an output other than `text` (str) and `json` (json)",
  "LILY-E0996": "an llm prompt's `$LILY_INPUT_X` names no input of the step (or the API key)",
  "LILY-E0997": "an llm call failed: connection, a non-2xx status, or an unreadable answer",
  "LILY-E0998": "an llm answer is not JSON or does not satisfy the `json` output's schema",
  "LILY-E0999":
    "an llm model pin: the provider reports another model (`--locked`), or none is pinned",
  // Pins and sync (E11xx): docs/sync.md
  "LILY-E1101": "an allowed binary is not installed (compose)",
  "LILY-E1103": "this machine does not match the lock's pins (run)",
} as const satisfies Record<`LILY-E${string}`, string>;

/** A known error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * True when `code` is in {@linkcode ERROR_CODES}.
 *
 * @example
 * ```ts
 * import { isErrorCode } from "./error_codes.ts";
 * if (!isErrorCode("LILY-E0201") || isErrorCode("LILY-E9999")) throw new Error("table");
 * ```
 */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
