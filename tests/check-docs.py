#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-docs - README.md and docs/*.md name only what exists.

Reads the Markdown files (default: README.md and docs/*.md of the source
tree) and checks, in code spans, code blocks and link targets:

  tree paths      scripts/..., tests/..., kmod/... exist in the source tree
                  (or as PATH.in, which configure turns into PATH); a path in
                  command position (first word of a code-block line, or after
                  && ; |) is executable
  links           [text](target) resolve, relative to the document, and a
                  #anchor names one of the target's headings
  daxpinctl       "daxpinctl CMD [options]": CMD is in the command table
                  (daxpinctl help) and each option is in "daxpinctl CMD --help"
  man pages       daxpin*(N) exists as a man source in the tree
  installed paths absolute paths with "daxpin" in them appear in the
                  packaging, the unit or the man pages
  daxpind         "daxpind --option": the option is in daxpind(8)
  units           "systemctl VERB daxpin...": the unit is in systemd/
  scenarios       kmod-*, daemon-*, cli-* ... names are tests/vm/scenarios/*.sh
  keys            Key=value settings and CamelCase keys are daxpind.conf(5)
                  keys or daxpind.service directives

First it runs the same checks on a document made of one mistake per rule
and fails unless every mistake is reported (so the checker can fail), and
on one made of correct names, which must pass.  Exit: 0 all good, 1 a
problem (each printed as FILE:LINE: message), 77 when the source tree is a
"make dist" tarball (no scripts/, .ci/, which the documents name: nothing is
checked), 99 a hard error (no daxpinctl).

Environment: CHECK_DOCS_VERBOSE=1 lists every item checked; srcdir (automake; default: this script's ../), DAXPINCTL
(default ./cli/daxpinctl, as built in the build tree).
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

TREE_DIRS = ("\\.ci", "bench", "cli", "daemon", "debian", "docs", "include",
             "kmod", "lib", "m4", "scripts", "systemd", "tests")
TREE_RE = re.compile(r"(?<![\w./-])((?:%s)/[\w.+/*<>-]*)" % "|".join(TREE_DIRS))
ABS_RE = re.compile(r"(?<![\w.~-])(/(?:etc|run|usr|lib|var|srv|opt)/[\w.+/*<>-]*)")
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
MAN_RE = re.compile(r"\b(daxpin[\w.-]*)\((\d)\)")
SCEN_RE = re.compile(r"^(?:kmod|daemon|baseline|cli|pin|smoke|sysd|pkg)-[a-z0-9-]+$")
KEYSET_RE = re.compile(r"(?<![\w-])([A-Z][a-z]+(?:[A-Z][A-Za-z]*)+)=")
CAMEL_RE = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]*)+$")
# Absolute paths the operator writes, or DKMS/dpkg own: not in our packaging.
ADMIN_PATHS = ("/etc/modules-load.d/", "/etc/modprobe.d/", "/var/lib/dkms/",
               "/lib/modules/", "/usr/share/doc/")
# A path component that is a placeholder: stop checking there.
PLACEHOLDER_RE = re.compile(r"^(?:[A-Z][A-Z0-9_]*|.*[*<>].*)$")


class Checker:
    def __init__(self, top, daxpinctl):
        self.top = top
        self.daxpinctl = daxpinctl
        self.errors = []
        self.counts = {}
        self.cmds = self._commands()
        self.help = {}
        self.corpus = self._corpus()
        self.keys = self._keys()

    # ---- sources of truth ----

    def _run(self, *args):
        r = subprocess.run([self.daxpinctl] + list(args), capture_output=True,
                           text=True)
        return r.stdout + r.stderr

    def _commands(self):
        out = self._run("help")
        cmds = set(re.findall(r"^  (\w+) ", out, re.M))
        if not cmds:
            print("check-docs: no command table from '%s help'" % self.daxpinctl)
            sys.exit(99)
        return cmds

    def _cmd_help(self, cmd):
        if cmd not in self.help:
            self.help[cmd] = self._run(cmd, "--help")
        return self.help[cmd]

    def _read(self, pattern):
        text = ""
        for f in sorted(glob.glob(os.path.join(self.top, pattern))):
            if os.path.isfile(f):
                with open(f, errors="replace") as fh:
                    text += fh.read() + "\n"
        return text

    def _corpus(self):
        """Where installed paths are defined: packaging, unit, man pages."""
        return "".join(self._read(p) for p in (
            "debian/*", "systemd/*", "systemd/*/*", "daemon/man/*",
            "docs/daxpinctl.8.scd", "kmod/dkms.conf.in",
            "daemon/daxpind.conf.example", "lib/*.h", "daemon/*.h"))

    def _keys(self):
        keys = set(re.findall(r"^\.BR? ([A-Z][A-Za-z]+)=",
                              self._read("daemon/man/daxpind.conf.5"), re.M))
        keys |= set(re.findall(r"^([A-Z][A-Za-z]+)=",
                               self._read("systemd/daxpind.service.in"), re.M))
        keys |= set(re.findall(r"^#?([A-Z][A-Za-z]+)=",
                               self._read("daemon/daxpind.conf.example"), re.M))
        return keys

    # ---- reporting ----

    def bad(self, where, msg):
        e = "%s: %s" % (where, msg)
        if e not in self.errors:
            self.errors.append(e)

    def count(self, what, item=""):
        self.counts[what] = self.counts.get(what, 0) + 1
        if os.environ.get("CHECK_DOCS_VERBOSE"):
            print("  %s: %s" % (what, item))

    # ---- one document ----

    def check_file(self, path, base=None):
        """Check the document at path; its relative links resolve from base
        (default: its own directory)."""
        rel = os.path.relpath(path, self.top)
        if rel.startswith(".."):
            rel = os.path.basename(path)
        self.doc = path
        self.base = base or os.path.dirname(path)
        with open(path) as fh:
            lines = fh.read().split("\n")
        fence = False
        for n, line in enumerate(lines, 1):
            where = "%s:%d" % (rel, n)
            if line.lstrip().startswith("```"):
                fence = not fence
                continue
            for target in ([] if fence else LINK_RE.findall(line)):
                self.check_link(where, target)
            for name, sect in MAN_RE.findall(line):
                self.check_man(where, name, sect)
            if fence:
                self.check_code(where, line, block=True)
            else:
                for span in re.findall(r"``(.+?)``|`([^`]+)`", line):
                    self.check_code(where, span[0] or span[1], block=False)

    def check_code(self, where, code, block):
        for p in TREE_RE.findall(code):
            self.check_tree_path(where, p, executable=False)
        for p in ABS_RE.findall(code):
            self.check_abs_path(where, p)
        for k in KEYSET_RE.findall(code):
            self.check_key(where, k)
        word = code.strip()
        if not block and SCEN_RE.match(word):
            self.check_scenario(where, word)
        if not block and CAMEL_RE.match(word):
            self.check_key(where, word)
        if block:
            # the command without its prompt and trailing comment: paths in
            # a comment were checked above, but "# shown by daxpinctl and ..."
            # is prose, not a daxpinctl command
            code = re.sub(r"(^|\s)#(\s.*)?$", "", re.sub(r"^\s*[#$]\s+", "", code))
            for part in re.split(r"&&|\|\||;|\|", code):
                words = part.split()
                if words and TREE_RE.fullmatch(words[0]):
                    self.check_tree_path(where, words[0], executable=True)
        for m in re.finditer(r"(?<![\w/.-])daxpinctl((?:\s+[^\s#|;&`]+)+)", code):
            self.check_daxpinctl(where, m.group(1).split())
        for part in re.split(r"&&|\|\||;|\|", code):	# daxpind in command position
            words = part.split()
            if words and os.path.basename(words[0]) == "daxpind":
                for w in words[1:]:
                    if w.startswith("-"):
                        self.check_daxpind_opt(where, w.split("=", 1)[0])
        for m in re.finditer(r"\bsystemctl\s+[a-z-]+(?:\s+-[-\w]+)*\s+([\w@.-]*daxpin[\w@.-]*)", code):
            self.check_unit(where, m.group(1))

    def _resolve_placeholder(self, path):
        """The part of path before a placeholder component; whether cut."""
        parts = path.split("/")
        for i, c in enumerate(parts):
            if c and PLACEHOLDER_RE.match(c):
                return "/".join(parts[:i]), True, parts[i:]
        return path, False, []

    def check_tree_path(self, where, path, executable):
        self.count("tree paths", path)
        path = path.rstrip(".,:")
        head, cut, rest = self._resolve_placeholder(path)
        full = os.path.join(self.top, head)
        if cut:
            # a glob in the placeholder component: it must match something
            if rest and "*" in rest[0] and "<" not in rest[0]:
                pat = os.path.join(full, rest[0])
                if not glob.glob(pat) and not glob.glob(pat + ".in"):
                    self.bad(where, "%s: nothing matches %s" % (path, rest[0]))
                    return
            if not os.path.isdir(full):
                self.bad(where, "%s: no directory %s in the tree" % (path, head))
            return
        if not (os.path.exists(full) or os.path.exists(full.rstrip("/") + ".in")):
            self.bad(where, "%s: no such file or directory in the tree" % path)
        elif executable and not os.access(full, os.X_OK):
            self.bad(where, "%s: run as a command but not executable" % path)

    def check_abs_path(self, where, path):
        path = path.rstrip(".,:")
        if "daxpin" not in path or path.startswith(ADMIN_PATHS):
            return
        self.count("installed paths", path)
        head, _, _ = self._resolve_placeholder(path)
        head = head.rstrip("/")
        if head not in self.corpus and head.lstrip("/") not in self.corpus:
            self.bad(where, "%s: not in debian/, systemd/, the man pages or "
                     "dkms.conf.in" % path)

    def check_link(self, where, target):
        if re.match(r"^[a-z]+:", target):	# https:, mailto:
            return
        self.count("links", target)
        file_part, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(self.base, file_part)) \
            if file_part else self.doc
        if not os.path.exists(dest):
            self.bad(where, "link %s: no such file" % target)
            return
        if anchor:
            if not os.path.isfile(dest) or not dest.endswith(".md"):
                self.bad(where, "link %s: anchor into a non-Markdown file" % target)
            elif anchor not in self.slugs(dest):
                self.bad(where, "link %s: no heading #%s in %s" %
                         (target, anchor, os.path.relpath(dest, self.top)))

    @staticmethod
    def slugs(md):
        """GitHub's heading anchors: lower case, punctuation dropped,
        spaces to hyphens."""
        out = set()
        fence = False
        with open(md) as fh:
            for line in fh:
                if line.lstrip().startswith("```"):
                    fence = not fence
                m = None if fence else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
                if m:
                    s = m.group(1).lower()
                    s = re.sub(r"[^\w\- ]", "", s)
                    out.add(s.replace(" ", "-"))
        return out

    def check_man(self, where, name, sect):
        self.count("man pages", name + "(" + sect + ")")
        names = ("docs/%s.%s.scd" % (name, sect), "docs/%s.%s" % (name, sect),
                 "daemon/man/%s.%s" % (name, sect))
        if not any(os.path.exists(os.path.join(self.top, n)) for n in names):
            self.bad(where, "%s(%s): no such man page source in docs/ or "
                     "daemon/man/" % (name, sect))

    def check_scenario(self, where, name):
        self.count("scenarios", name)
        if not os.path.exists(os.path.join(self.top, "tests/vm/scenarios",
                                           name + ".sh")):
            self.bad(where, "%s: no tests/vm/scenarios/%s.sh" % (name, name))

    def check_key(self, where, key):
        self.count("keys", key)
        if key not in self.keys:
            self.bad(where, "%s: not a daxpind.conf(5) key nor a "
                     "daxpind.service directive" % key)

    def check_daxpind_opt(self, where, opt):
        self.count("daxpind options", opt)
        man = self._read("daemon/man/daxpind.8").replace("\\-", "-")
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), man):
            self.bad(where, "daxpind %s: not in daxpind(8)" % opt)

    def check_unit(self, where, unit):
        self.count("units", unit)
        name = unit if "." in unit else unit + ".service"
        if not any(os.path.exists(os.path.join(self.top, "systemd", name + sfx))
                   for sfx in ("", ".in")):
            self.bad(where, "%s: no systemd/%s(.in) in the tree" % (unit, name))

    def check_daxpinctl(self, where, words):
        # global options before the command
        while words and words[0].startswith("-"):
            words = words[1:]
        if not words:
            return
        cmd = words[0].rstrip(":")
        if not re.match(r"^[a-z][a-z-]*$", cmd):
            return		# "daxpinctl(8)", "daxpinctl's"
        self.count("daxpinctl commands", cmd)
        if cmd not in self.cmds:
            self.bad(where, "daxpinctl %s: not a daxpinctl command (%s)" %
                     (cmd, " ".join(sorted(self.cmds))))
            return
        if words[0].endswith(":"):
            return		# an error message quoted from output
        usage = self._cmd_help(cmd)
        for w in words[1:]:
            if not w.startswith("-") or w == "-":
                continue
            opt = w.split("=", 1)[0]
            self.count("daxpinctl options", cmd + " " + opt)
            if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), usage):
                self.bad(where, "daxpinctl %s %s: not in 'daxpinctl %s --help'"
                         % (cmd, opt, cmd))


SELF_BAD = """# T

## Real heading

- `scripts/no-such-script` and `kmod/no-such-file.c`
- `daxpinctl frobnicate` and `daxpinctl waits --no-such-option`
- [gone](no-such-page.md) and [anchor](other.md#no-such-heading)
- `daxpind.conf(7)` and `/etc/daxpin/no-such.conf`
- `kmod-no-such-scenario` and `NoSuchKey=1`
- `daxpind --no-such-option` and `systemctl start daxpin-nosuch`

```sh
kmod/Kbuild --run
```
"""
# each must be reported, in this order of appearance
SELF_BAD_EXPECT = ["scripts/no-such-script", "kmod/no-such-file.c",
                   "daxpinctl frobnicate", "--no-such-option",
                   "no-such-page.md", "#no-such-heading",
                   "daxpind.conf(7)", "/etc/daxpin/no-such.conf",
                   "kmod-no-such-scenario", "NoSuchKey",
                   "daxpind --no-such-option", "daxpin-nosuch",
                   "kmod/Kbuild: run as a command"]

SELF_GOOD = """# T

## Real heading

- `scripts/demo`, `kmod/dkms.conf` (from .in), `build/obj` (not checked)
- `daxpinctl status --check --warn-ms=2000`, `daxpinctl -j waits -v`
- [self](#real-heading), [other](other.md#a-heading-too), [dir](./)
- `daxpinctl(8)`, `daxpind.conf(5)`, `/etc/daxpin/daxpind.conf`
- `/usr/src/daxpin-VERSION/`, `kmod-cycle`, `WarnAfterSec=2`, `PollMSec`
- `daxpind --check-config`, `systemctl enable --now daxpind`

```sh
scripts/build && daxpinctl kick --stalled   # a comment naming scripts/setup
# daxpinctl waits
```
"""


def self_test(top, daxpinctl):
    ok = True
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "other.md"), "w") as fh:
            fh.write("# Other\n\n## A heading, too\n")
        for name, text, want in (("bad.md", SELF_BAD, SELF_BAD_EXPECT),
                                 ("good.md", SELF_GOOD, [])):
            p = os.path.join(d, name)
            with open(p, "w") as fh:
                fh.write(text)
            c = Checker(top, daxpinctl)
            c.check_file(p)	# tree paths from top, links from d
            got = c.errors
            missing = [w for w in want if not any(w in e for e in got)]
            if want and (missing or len(got) != len(want)):
                ok = False
                print("check-docs: self-test FAILED on the bad document:")
                for m in missing:
                    print("  not reported: %s" % m)
                for e in got:
                    print("  reported: %s" % e)
            elif not want and got:
                ok = False
                print("check-docs: self-test FAILED on the good document:")
                for e in got:
                    print("  reported: %s" % e)
            else:
                print("check-docs: self-test %s: %d problem(s) reported, "
                      "%d expected" % (name, len(got), len(want)))
    return ok


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.abspath(os.environ.get("srcdir") or os.path.join(here, ".."))
    daxpinctl = os.environ.get("DAXPINCTL", "./cli/daxpinctl")
    if not os.access(daxpinctl, os.X_OK):
        print("check-docs: no daxpinctl at %s (set DAXPINCTL)" % daxpinctl)
        return 99
    if not os.path.exists(os.path.join(top, "scripts/test")):
        print("SKIP: %s is not a full source tree (make dist ships no "
              "scripts/ or .ci/, which the documents name)" % top)
        return 77
    if not self_test(top, daxpinctl):
        return 1
    docs = sys.argv[1:] or ([os.path.join(top, "README.md")] +
                            sorted(glob.glob(os.path.join(top, "docs/*.md"))))
    c = Checker(top, daxpinctl)
    for d in docs:
        c.check_file(d)
    for e in c.errors:
        print("FAIL: " + e)
    print("check-docs: %s: %s" % (
        " ".join(os.path.relpath(d, top) for d in docs),
        ", ".join("%d %s" % (v, k) for k, v in sorted(c.counts.items()))))
    for what in ("tree paths", "links", "daxpinctl commands"):
        if not c.counts.get(what) and not sys.argv[1:]:
            print("FAIL: no %s found: the extraction is broken" % what)
            return 1
    return 1 if c.errors else 0



if __name__ == "__main__":
    sys.exit(main())
