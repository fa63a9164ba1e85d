/**
 * How a python step's `lily.output(name, value)` is written to `$LILY_OUTPUT`, shared by both
 * runtimes' runners (`src/steps/python_runner.ts`, system; `pyodide_runner.ts`, pyodide) so the
 * two write the same records the engine reads (src/run/collect.ts): `name=value`, or a here-doc
 * record with a random delimiter when the value spans lines. Also what both runners share: the
 * status of a refusal and the fields of the step's code and inputs.
 * @module
 */

/**
 * The exit status of a python step whose code the audit hook refused, in both runtimes
 * (system: steps/python_runner.ts; pyodide: pyodide_runner.ts).
 */
export const PYTHON_DENIED_STATUS = 126;

/** What both Python runners receive about the step's code and inputs. */
export interface PythonCodeConfig {
  /** The step's id (for messages). */
  step: string;
  /** Source text (`with.code`), or null when `file` is set. */
  code: string | null;
  /** The script's path as written (`with.file`), relative to the working directory. */
  file: string | null;
  /** Declared inputs: name → type. Values come from `$LILY_INPUT_<NAME>`. */
  inputs: Record<string, string>;
}

/** Python source defining `_lily_output_record(name, value)` at the top level of a runner. */
export const PYTHON_OUTPUT_SOURCE = String.raw`
def _lily_output_record(name, value):
    """The $LILY_OUTPUT record of output name: bool as true/false, dict/list/None as JSON, others with str()."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError("output name must be an identifier, got %r" % (name,))
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None or isinstance(value, (dict, list, tuple)):
        import json
        text = json.dumps(value)
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    if "\n" in text or "\r" in text:
        delimiter = "LILY_EOF_" + os.urandom(8).hex()
        return "%s<<%s\n%s\n%s\n" % (name, delimiter, text, delimiter)
    return "%s=%s\n" % (name, text)
`;
