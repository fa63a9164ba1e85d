// The README's examples run as written: the `sh` block of each example in README.md is taken from
// the page, its `deno task lily …` lines run one by one through the real CLI in a fresh copy of the
// example, and what they produced is checked with the real tools (ffprobe; the run records).
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { denoDir, hasTool, lily, skipUnless } from "../_tools.ts";

const root = new URL("../../", import.meta.url).pathname;
const SYSTEM_PY = "/usr/bin/python3";

/**
 * The commands of the `sh` block starting `# examples/NAME` in README.md, then those of the first
 * `sh` block of examples/NAME/README.md that the former does not have: each line's words (comments
 * dropped), `deno task lily …` standing for the CLI.
 */
function readmeCommands(name: string, part: "all" | "main" | "own" = "all"): string[][] {
  const lines = (file: string, marker: string) => {
    const page = Deno.readTextFileSync(`${root}${file}`);
    const block = new RegExp("```sh\\n" + marker + "([\\s\\S]*?)```").exec(page);
    if (!block) throw new Error(`${file} has no sh block starting "${marker}"`);
    return block[1].split("\n").map((l) => l.replace(/(^|\s+)#.*$/, "").trim()).filter(Boolean);
  };
  const main = lines("README.md", `# examples/${name} [^\\n]*\\n`);
  const own = lines(`examples/${name}/README.md`, "").filter((l) => !main.includes(l));
  const chosen = part === "main" ? main : part === "own" ? own : [...main, ...own];
  return chosen.map((command) => {
    // Plain words only: the test splits on spaces, as a shell would for these lines.
    assertMatch(command, /^[\w./=,: -]+$/, `README line: ${command}`);
    return command.split(/\s+/);
  });
}

/**
 * A fresh copy of examples/NAME at TMP/examples/NAME, without what earlier runs left in the
 * checkout (.lily, locks, out): the commands then run from TMP as from the checkout's root. With
 * `code`, TMP also links to the checkout's code (mod.ts, src/, tests/…), for an example's own
 * `deno run` scripts that import it.
 */
async function freshCopy(name: string, code = false): Promise<string> {
  const tmp = await Deno.makeTempDir({ prefix: `lily-example-${name}-` });
  const copy = async (from: string, to: string) => {
    await Deno.mkdir(to, { recursive: true });
    for await (const e of Deno.readDir(from)) {
      if ([".lily", "locks", "out"].includes(e.name)) continue;
      if (e.isDirectory) await copy(`${from}/${e.name}`, `${to}/${e.name}`);
      else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
    }
  };
  await copy(`${root}examples/${name}`, `${tmp}/examples/${name}`);
  const linked = ["mod.ts", "deno.json", "deno.lock", "src", "adapters", "tests", "scripts"];
  for (const entry of code ? linked : []) await Deno.symlink(`${root}${entry}`, `${tmp}/${entry}`);
  return tmp;
}

/**
 * Runs the READMEs' lines for an example in `tmp`; each must succeed (`lily diff` says "different"
 * with status 1, as diff(1) does). Returns the stdout of each lily command by its first two words.
 */
async function runReadme(
  name: string,
  tmp: string,
  part: "all" | "main" | "own" = "all",
): Promise<Map<string, string>> {
  const stdout = new Map<string, string>();
  for (const words of readmeCommands(name, part)) {
    const isLily = words.slice(0, 3).join(" ") === "deno task lily";
    // Lily's caches in the copy; Deno's own cache shared (XDG_CACHE_HOME would move it too).
    const env = { XDG_CACHE_HOME: `${tmp}/.xdg`, DENO_DIR: denoDir() };
    const out = isLily
      ? await lily(words.slice(3), { cwd: tmp, env })
      : await new Deno.Command(words[0] === "deno" ? Deno.execPath() : words[0], {
        args: words.slice(1),
        cwd: tmp,
        env,
      }).output().then((
        o,
      ) => ({
        code: o.code,
        stdout: new TextDecoder().decode(o.stdout),
        stderr: new TextDecoder().decode(o.stderr),
      }));
    const expected = isLily && words[3] === "diff" ? 1 : 0;
    assertEquals(out.code, expected, `${words.join(" ")}\n${out.stdout}\n${out.stderr}`);
    stdout.set(words.slice(3, 5).join(" "), out.stdout);
  }
  return stdout;
}

interface Manifest {
  params: Record<string, unknown>;
  status: string;
  steps: Record<string, { status: string; cache: { decision: string; key: string } }>;
  outputs: Record<string, { value?: unknown; path?: string }>;
}

/** Every run record of a project, oldest first (run ids sort by time). */
function runs(project: string): { manifest: Manifest; events: Record<string, unknown>[] }[] {
  const dir = `${project}/.lily/runs`;
  return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name).sort()
    .map((id) => ({
      manifest: JSON.parse(Deno.readTextFileSync(`${dir}/${id}/manifest.json`)) as Manifest,
      events: Deno.readTextFileSync(`${dir}/${id}/events.jsonl`).trim().split("\n")
        .map((l) => JSON.parse(l)),
    }));
}

/** ffprobe's view of a media file: its streams (codec, size) and duration. */
function probe(path: string): {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  format: { duration?: string };
} {
  const out = new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-show_entries",
      "stream=codec_type,codec_name,width,height:format=duration",
      "-of",
      "json",
      path,
    ],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`ffprobe ${path}: ${text(out.stderr)}`);
  return JSON.parse(text(out.stdout));
}

const video = (path: string) => probe(path).streams.find((s) => s.codec_type === "video")!;

Deno.test({
  name: "README: examples/video runs with ffmpeg — renditions, thumbnails, report, sweep hits",
  ignore: Deno.build.os !== "linux" || skipUnless("ffmpeg", "ffprobe", "bwrap"),
  fn: async () => {
    const tmp = await freshCopy("video");
    const project = `${tmp}/examples/video`;
    try {
      const printed = await runReadme("video", tmp);
      const out = `${project}/out`;
      // The source clip: generated by ffmpeg from testsrc2, 720p, 4 s at 25 fps, with audio.
      const source = probe(`${out}/source/clip.mp4`);
      assertEquals(video(`${out}/source/clip.mp4`).height, 720);
      assert(source.streams.some((s) => s.codec_type === "audio"), "the clip has audio");
      assert(Math.abs(Number(source.format.duration) - 4) < 0.2, source.format.duration);
      // The first line: profile local (240p), mp4 → H.264; thumbnails one per second, 160 high.
      const main = video(`${out}/mp4-240/video.mp4`);
      assertEquals([main.codec_name, main.height], ["h264", 240]);
      // (4 s at fps=1: frames at 0…3 s, and one at the end with some ffmpeg versions.)
      const thumbs = [...Deno.readDirSync(`${out}/mp4-240/thumbs`)].map((e) => e.name).sort();
      assert(thumbs.length === 4 || thumbs.length === 5, thumbs.join(" "));
      assertEquals(thumbs.slice(0, 4), ["01.png", "02.png", "03.png", "04.png"]);
      for (const name of thumbs) {
        const thumb = video(`${out}/mp4-240/thumbs/${name}`);
        assertEquals([thumb.codec_name, thumb.height], ["png", 160], name);
      }
      // The second profile: the preview, 144p H.264 without audio.
      const preview = probe(`${out}/preview/preview.mp4`);
      assertEquals(preview.streams.map((s) => [s.codec_name, s.height]), [["h264", 144]]);
      // The report holds ffprobe's JSON of both renditions.
      const report = JSON.parse(await Deno.readTextFile(`${out}/mp4-240/report.json`));
      assertEquals(report.video.streams[0].height, 240);
      assertEquals(report.preview.streams[0].height, 144);
      // The sweep: four points, each rendition as asked (webm → VP8 + Opus).
      for (const [fmt, size, codec] of [["mp4", 144, "h264"], ["webm", 360, "vp8"]] as const) {
        const v = probe(`${out}/${fmt}-${size}/video.${fmt}`);
        assertEquals(
          v.streams.map((s) => [s.codec_type, s.codec_name, s.height]),
          [["video", codec, size], ["audio", fmt === "mp4" ? "aac" : "opus", undefined]],
        );
      }
      // The tiktok flow under profile ci: 720 high, cropped to 9:16 by the overlay; captions.
      const tiktok = video(`${out}/tiktok-720/video.mp4`);
      assertEquals(tiktok.height, 720);
      assertEquals(tiktok.width, 404); // 720 × 9/16 = 405, rounded to even by scale=-2
      assertMatch(await Deno.readTextFile(`${out}/tiktok-720/captions.vtt`), /^WEBVTT\n/);

      const records = runs(project);
      assertEquals(records.length, 6, "one run, four sweep points, one tiktok run");
      assert(records.every((r) => r.manifest.status === "succeeded"));
      // Typed outputs from ffprobe, in the manifest.
      assertEquals(records[0].manifest.outputs.codec.value, "h264");
      // `runs show latest` (the tiktok run) prints them.
      assertMatch(
        printed.get("runs show")!,
        /output codec_name = "h264"\n\s+output height = 720\n/,
      );
      // Every sweep point after the first run reuses the clip, its probe and the preview.
      for (const r of records.slice(1, 5)) {
        for (const step of ["source", "probe", "preview"]) {
          assertEquals(r.manifest.steps[step].status, "cached", `${step} at ${r.manifest.params}`);
        }
        assertEquals(r.manifest.steps.transcode.status, "succeeded");
      }
      assertEquals(records[1].manifest.params.size, 144);
      assertEquals(records[4].manifest.params.fmt, "webm");
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

const hasSklearn = (() => {
  if (Deno.build.os !== "linux" || !hasTool(SYSTEM_PY)) return false;
  try {
    return new Deno.Command(SYSTEM_PY, { args: ["-c", "import numpy, sklearn"] }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "README: examples/ml trains for real; the sweep's second point reuses the data step",
  ignore: Deno.build.os !== "linux" ||
    (!hasSklearn && Deno.env.get("CI") !== "true" &&
      (console.warn(
        "SKIP: needs numpy and scikit-learn for /usr/bin/python3 (bash scripts/setup.sh installs python3-numpy python3-sklearn; fails under CI=true)",
      ),
        true)) ||
    skipUnless("bwrap"),
  fn: async () => {
    const tmp = await freshCopy("ml");
    const project = `${tmp}/examples/ml`;
    try {
      const printed = await runReadme("ml", tmp);
      // sync pinned the installed versions in each lock.
      const versions = new TextDecoder().decode(
        new Deno.Command(SYSTEM_PY, {
          args: ["-c", "import numpy, sklearn; print(numpy.__version__, sklearn.__version__)"],
          stdout: "piped",
        }).outputSync().stdout,
      ).trim().split(" ");
      for (const point of ["C=0.01", "C=1"]) {
        const lock = await Deno.readTextFile(`${project}/locks/ml.petal.${point}.lock.yaml`);
        assertMatch(lock, new RegExp(`numpy: "?${versions[0]}"?\\n`));
        assertMatch(lock, new RegExp(`scikit-learn: "?${versions[1]}"?\\n`));
      }
      const records = runs(project);
      assertEquals(records.map((r) => r.manifest.params.C), [0.01, 1]);
      const [first, second] = records;
      for (const { manifest } of records) {
        assertEquals(manifest.status, "succeeded");
        const score = manifest.outputs.score.value;
        assert(typeof score === "number" && score >= 0 && score <= 1, `score ${score}`);
        assertEquals(
          manifest.outputs.model.path,
          `out/model/C=${manifest.params.C}.json`,
        );
      }
      // The data step ran once: a miss at the first point, a hit (same key) at the second.
      assertEquals(first.manifest.steps.data.status, "succeeded");
      assertEquals(second.manifest.steps.data.status, "cached");
      assertEquals(second.manifest.steps.data.cache.key, first.manifest.steps.data.cache.key);
      // `runs show latest` prints the second point's score, as the manifest has it.
      assertMatch(
        printed.get("runs show")!,
        new RegExp(
          `output score = ${String(second.manifest.outputs.score.value).replace(".", "\\.")}\\n`,
        ),
      );
      const hit = second.events.find((e) => e.type === "step.cache_hit" && e.step === "data");
      assert(hit, "the second point's events have a cache hit for the data step");
      assert(first.events.some((e) => e.type === "step.cache_miss" && e.step === "data"));
      // Training and evaluation ran at both points, with different models.
      for (const step of ["train", "evaluate"]) {
        assertEquals(second.manifest.steps[step].status, "succeeded");
        assert(second.manifest.steps[step].cache.key !== first.manifest.steps[step].cache.key);
      }
      const model = JSON.parse(await Deno.readTextFile(`${project}/out/model/C=1.json`));
      assertEquals([model.C, model.classes.length, model.coef.length], [1, 10, 10]);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

/** Every form of `secret` a masker must catch: raw, base64 (standard, URL-safe), URL-encoded. */
function formsOf(secret: string): string[] {
  const b64 = btoa(secret).replace(/=+$/, "");
  return [
    secret,
    b64,
    b64.replaceAll("+", "-").replaceAll("/", "_"),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/** Every file under `dir` (recursively) with its bytes as text. */
function filesUnder(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...filesUnder(path));
    else if (e.isFile) out.push([path, new TextDecoder().decode(Deno.readFileSync(path))]);
  }
  return out;
}

/** The rows of the Markdown table `| text | label | summary |` in `text`. */
function tableRows(text: string): { text: string; label: string; summary: string }[] {
  return text.trim().split("\n").slice(2).map((line) => {
    const [name, label, summary] = line.replace(/^\| | \|$/g, "").split(" | ");
    return { text: name, label, summary };
  });
}

const LABELS = ["food", "sport", "science", "technology", "history", "nature"];

Deno.test({
  name:
    "README: examples/llm — a foreach of llm steps (fake), the cassettes replayed with no network, re-recorded with no key",
  ignore: Deno.build.os !== "linux" || skipUnless("bwrap"),
  fn: async () => {
    const tmp = await freshCopy("llm", true);
    const project = `${tmp}/examples/llm`;
    const { firstSentence, labelOf, PORT } = await import("../../examples/llm/record.ts");
    // A key in the environment of every line: it reaches the profile's api_key input (replay)
    // and the recording, and must be in no file they write.
    const key = `sk-test-${crypto.randomUUID()}`;
    const before = Deno.env.get("OPENAI_API_KEY");
    Deno.env.set("OPENAI_API_KEY", key);
    // Whatever listens at the cassettes' base URL during the replay counts the calls it gets.
    let calls = 0;
    const sentinel = Deno.serve(
      { hostname: "127.0.0.1", port: PORT, onListen() {} },
      () => (calls++, new Response("not during a replay", { status: 500 })),
    );
    try {
      const texts = [...Deno.readDirSync(`${project}/texts`)].map((e) => e.name)
        .filter((n) => n.endsWith(".txt")).map((n) => n.replace(/\.txt$/, "")).sort();
      assertEquals(texts.length, 12);
      const printed = await runReadme("llm", tmp, "main");
      await sentinel.shutdown();
      assertEquals(calls, 0, "the replay called the endpoint");

      const records = runs(project);
      assertEquals(records.length, 2, "the fake run and the replay");
      const [fake, replay] = records;
      for (const { manifest } of records) assertEquals(manifest.status, "succeeded");
      // The fake run: one summary and one label per text, each label from the schema's set.
      assertEquals(
        Object.keys(fake.manifest.steps).filter((s) => s.startsWith("summarize@")).sort(),
        texts.map((t) => `summarize@${t}`),
      );
      const counts = fake.manifest.outputs.counts.value as Record<string, number>;
      assert(Object.keys(counts).every((l) => LABELS.includes(l)), JSON.stringify(counts));
      assertEquals(Object.values(counts).reduce((a, b) => a + b, 0), 12);
      // The replay: the recorded answers (the recording server's rules), no fake text.
      const table = tableRows(await Deno.readTextFile(`${project}/out/report.md`));
      assertEquals(table.map((r) => r.text), texts);
      for (const row of table) {
        const text = (await Deno.readTextFile(`${project}/texts/${row.text}.txt`)).split(/\s+/)
          .join(" ");
        assertEquals(row.summary, firstSentence(text).replace(/\|/g, "\\|"), row.text);
        assertEquals(row.label, labelOf(row.summary), row.text);
        assert(LABELS.includes(row.label), row.label);
      }
      assertEquals(new Set(table.map((r) => r.label)).size, 6, "the texts cover all six labels");
      assertEquals(replay.manifest.outputs.report.path, "out/report.md");
      assertMatch(printed.get("runs show")!, /output counts = \{/);
      // The committed cassettes hold no credential header and no key of any kind.
      for (const [path, text] of filesUnder(`${root}examples/llm/cassettes`)) {
        assert(!/authorization|x-api-key|\bsk-[A-Za-z0-9]/i.test(text), path);
      }

      // The example's own README re-records the cassettes (record.ts, the local server).
      await runReadme("llm", tmp, "own");
      const cassettes = filesUnder(`${project}/cassettes`);
      assertEquals(cassettes.length, 24, "one cassette per llm step");
      assert(cassettes.some(([, t]) => t.includes("http://127.0.0.1:8808/v1/chat/completions")));
      // Canonical files: the re-recording is byte for byte the committed one.
      const committed = new Map(
        filesUnder(`${root}examples/llm/cassettes`).map(([p, t]) => [
          p.slice(`${root}examples/llm/`.length),
          t,
        ]),
      );
      for (const [path, text] of cassettes) {
        assertEquals(text, committed.get(path.slice(`${project}/`.length)), path);
      }
      // The key was sent (the recording run had it) and is in no file of the copy, in any form.
      for (const [path, text] of filesUnder(project)) {
        for (const form of formsOf(key)) assert(!text.includes(form), `${form} in ${path}`);
      }
    } finally {
      await sentinel.shutdown().catch(() => {});
      if (before === undefined) Deno.env.delete("OPENAI_API_KEY");
      else Deno.env.set("OPENAI_API_KEY", before);
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "README: examples/release — version and changelog from git, tests, the gate, publish and an included notification",
  ignore: Deno.build.os !== "linux" || skipUnless("git", "bwrap", SYSTEM_PY),
  fn: async () => {
    const tmp = await freshCopy("release", true);
    const project = `${tmp}/examples/release`;
    try {
      const printed = await runReadme("release", tmp);
      // explain lists the fragment's steps under the include's id.
      assertMatch(printed.get("explain examples/release/release.petal")!, /notify ← notify\.petal/);
      const [record] = runs(project);
      assertEquals(record.manifest.status, "succeeded");
      // The version from the example's repository: v1.3.0, then history.txt's commits (feat).
      const history = (await Deno.readTextFile(`${project}/history.txt`)).trim().split("\n");
      assert(history.some((s) => s.startsWith("feat:")));
      assertEquals(record.manifest.outputs.version.value, "1.4.0");
      assertMatch(printed.get("runs show")!, /output version = "1\.4\.0"/);
      // The endpoint received the release, then the notification (the fragment's post).
      const received = (await Deno.readTextFile(`${project}/out/endpoint/received.jsonl`)).trim()
        .split("\n").map((l) => JSON.parse(l));
      assertEquals(received.map((r) => r.path), ["/releases", "/notify"]);
      assertEquals(received[0].body.version, "1.4.0");
      assertEquals(received[0].body.previous, "v1.3.0");
      assertEquals(received[0].body.changes, history.length);
      for (const subject of history) {
        assert(received[0].body.notes.includes(subject.split(": ")[1]), subject);
      }
      assertEquals(received[1].body, {
        channel: "#releases",
        text: `Released 1.4.0 (${history.length} changes since v1.3.0)`,
      });
      assertEquals(record.manifest.outputs.notified.value, 201);
      // The gate's answer, how and by whom, in the manifest.
      const gate = (record.manifest.steps.approve as unknown as {
        human: { answer: unknown; via: string; by: string; source: string };
      }).human;
      const user = new TextDecoder().decode(
        new Deno.Command("id", { args: ["-un"], stdout: "piped" }).outputSync().stdout,
      ).trim();
      assertEquals([gate.answer, gate.via, gate.source, gate.by], [
        true,
        "flag",
        "--approve approve",
        user,
      ]);
      // The tests ran for real: unittest's summary, one test per test_ function.
      const tests = (await Deno.readTextFile(`${project}/scripts/test_changelog.py`))
        .match(/def test_/g)!.length;
      const [runId] = [...Deno.readDirSync(`${project}/.lily/runs`)].map((e) => e.name).sort();
      const runDir = `${project}/.lily/runs/${runId}`;
      assertMatch(
        await Deno.readTextFile(`${runDir}/logs/test.1.log`),
        new RegExp(
          `Ran ${tests} tests in [\\d.]+s\\n\\nOK`,
        ),
      );
      // Without a terminal and without --approve, the gate is refused before anything runs
      // (every unanswerable gate listed, exit 2): no step starts, nothing is published.
      const runsBefore = [...Deno.readDirSync(`${project}/.lily/runs`)].length;
      const denied = await lily(["run", "examples/release/release.petal"], {
        cwd: tmp,
        env: { XDG_CACHE_HOME: `${tmp}/.xdg` },
      });
      assertEquals(denied.code, 2, denied.stderr);
      assertMatch(denied.stderr, /LILY-E0987\]: human gate `approve`/);
      assertEquals([...Deno.readDirSync(`${project}/.lily/runs`)].length, runsBefore);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
