"""Unit tests of changelog.py, run by the workflow's `test` step (python3 -m unittest)."""
import unittest

from changelog import bump, kind_of, notes


class BumpTest(unittest.TestCase):
    def test_a_feature_bumps_the_minor_version(self):
        self.assertEqual(bump("v1.3.0", ["fix: a", "feat: b"]), "1.4.0")

    def test_fixes_only_bump_the_patch(self):
        self.assertEqual(bump("v1.3.2", ["fix: a", "docs: b"]), "1.3.3")

    def test_a_breaking_change_bumps_the_major_version(self):
        self.assertEqual(bump("v1.3.0", ["feat!: drop the v1 API"]), "2.0.0")


class NotesTest(unittest.TestCase):
    def test_sections_in_order(self):
        text = notes("1.4.0", ["fix: a", "feat: b", "chore: c"])
        self.assertEqual(
            text.split("\n"),
            ["## 1.4.0", "", "### Features", "", "- b", "", "### Fixes", "", "- a", "",
             "### Other", "", "- c", ""],
        )

    def test_kinds(self):
        self.assertEqual([kind_of(s) for s in ["feat(ui): x", "fix: y", "wip"]],
                         ["feat", "fix", "other"])


if __name__ == "__main__":
    unittest.main()
