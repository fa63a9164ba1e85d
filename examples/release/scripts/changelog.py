"""The next version and the changelog, from the commit subjects since the last tag.

Conventional commits: `feat:` bumps the minor version, `fix:` the patch, a `!` before the colon
(`feat!:`) or a `BREAKING CHANGE` the major; other types are listed under "Other".
"""
import json
import pathlib
import re

SECTIONS = {"feat": "Features", "fix": "Fixes"}


def bump(last_tag, subjects):
    """The version after `last_tag` (`v1.3.0`) for these commit subjects."""
    major, minor, patch = (int(n) for n in last_tag.lstrip("v").split("."))
    kinds = [kind_of(s) for s in subjects]
    if any(k == "breaking" for k in kinds):
        return f"{major + 1}.0.0"
    if "feat" in kinds:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def kind_of(subject):
    """`feat`, `fix`, `breaking` or `other`."""
    m = re.match(r"^(\w+)(\([^)]*\))?(!)?:", subject)
    if "BREAKING CHANGE" in subject or (m and m.group(3)):
        return "breaking"
    return m.group(1) if m and m.group(1) in SECTIONS else "other"


def notes(version, subjects):
    """The changelog section of `version` in Markdown."""
    lines = [f"## {version}", ""]
    groups = {"Breaking": [], "Features": [], "Fixes": [], "Other": []}
    for s in subjects:
        k = kind_of(s)
        text = s.split(":", 1)[1].strip() if ":" in s else s
        groups["Breaking" if k == "breaking" else SECTIONS.get(k, "Other")].append(text)
    for title, items in groups.items():
        if items:
            lines += [f"### {title}", ""] + [f"- {i}" for i in items] + [""]
    return "\n".join(lines)


if __name__ == "__main__":
    import lily

    last = lily.inputs["last_tag"]
    subjects = [s for s in pathlib.Path(lily.inputs["commits"]).read_text().splitlines() if s]
    version = bump(last, subjects)
    text = notes(version, subjects)
    pathlib.Path("out").mkdir(exist_ok=True)
    pathlib.Path("out/CHANGELOG.md").write_text(text)
    release = {"version": version, "previous": last, "changes": len(subjects), "notes": text}
    pathlib.Path("out/release.json").write_text(json.dumps(release, indent=2) + "\n")
    lily.output("version", version)
    lily.output("release", release)
    print(text)
