"""Meta-tests: docs/language.md and docs/cli.md say what the implementation does.

* every keyword spelling in rules_dsl.keywords.ALL (and every punctuation spelling) is
  listed in the keyword tables of docs/language.md, and the tables list nothing else;
* every ```scheme block in the docs compiles clean, every ```scheme-error block fails
  with a scheme error (never a crash); a `# id: X` comment on a line says the rule or
  ratio declared there gets the id X;
* ```scheme blocks marked `twin=NAME` (the same statements in English and in Chinese
  keywords) compile to the same IR, apart from where each statement stands;
* every ```console transcript (`$ mentorship …` followed by its output) gives exactly the
  output shown when run on the blocks before it that have a `file=NAME` (scheme files, and
  the files of a data bundle such as ```csv file=示例学校/students.csv), and `$ echo $?`
  shows the exit code;
* every link to a heading of docs/language.md (`](#…)`) finds that heading;
* every command and option used in docs/cli.md exists in the click group.

Blocks are compiled as if saved in schemes/schools/, so an example's
`extends "../baselines/…"` finds the project's own baselines.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mentorship.cli import cli
from rules_dsl.compiler import compile_text
from rules_dsl.errors import SchemeError
from rules_dsl.keywords import ALL, PUNCTUATION

ROOT = Path(__file__).resolve().parents[2]
LANGUAGE = ROOT / "docs" / "language.md"
CLI_DOC = ROOT / "docs" / "cli.md"
EXAMPLE_FILE = str(ROOT / "schemes" / "schools" / "docs-example.scheme")

_FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
_ID_COMMENT = re.compile(r"#\s*id:\s*(\S+)")


@dataclass
class Block:
    doc: Path
    line: int  # line of the opening fence
    lang: str  # scheme, scheme-error, console, text, …
    file: str | None  # from `file=NAME` in the info string
    body: str
    twin: str | None = None  # from `twin=NAME`: blocks of one name compile to the same IR

    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    found = []
    for m in _FENCE.finditer(text):
        info = m.group(1).split()
        lang = info[0] if info else ""
        attrs = dict(w.split("=", 1) for w in info[1:] if "=" in w)
        found.append(Block(doc, text.count("\n", 0, m.start()) + 1, lang, attrs.get("file"), m.group(2), attrs.get("twin")))
    return found


def scheme_blocks(doc: Path, lang: str) -> list[Block]:
    return [b for b in blocks(doc) if b.lang == lang]


def _params(lang: str) -> list[object]:
    return [pytest.param(b, id=b.where()) for b in scheme_blocks(LANGUAGE, lang)]


# -- keywords ------------------------------------------------------------------------------
def _section(title_word: str) -> str:
    """The text of the docs/language.md section whose heading contains `title_word`."""
    text = LANGUAGE.read_text(encoding="utf-8")
    m = re.search(rf"^(#+) [^\n]*{re.escape(title_word)}[^\n]*$", text, re.M)
    assert m, f"docs/language.md has no section titled …{title_word}…"
    level = len(m.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(text, m.end())
    return text[m.end() : end.start() if end else len(text)]


def _table_spellings(section: str) -> set[str]:
    """Backquoted words in the first column of each table row."""
    spellings: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        first = line.split("|")[1]
        spellings.update(re.findall(r"`([^`]+)`", first))
    return spellings


def test_every_keyword_spelling_is_in_the_keyword_table_of_language_md() -> None:
    """Every spelling in rules_dsl.keywords.ALL (English and Chinese) appears in docs/language.md's keyword table."""
    documented = _table_spellings(_section("关键词总表"))
    missing = sorted(set(ALL) - documented)
    assert not missing, f"keywords missing from the keyword table in docs/language.md: {missing}"
    stale = sorted(documented - set(ALL))
    assert not stale, f"the keyword table lists words that are not keywords: {stale}"


def test_every_punctuation_spelling_is_in_the_punctuation_table_of_language_md() -> None:
    documented = _table_spellings(_section("标点总表"))
    missing = sorted(set(PUNCTUATION) - documented)
    assert not missing, f"punctuation missing from the punctuation table in docs/language.md: {missing}"
    stale = sorted(documented - set(PUNCTUATION))
    assert not stale, f"the punctuation table lists spellings the lexer does not know: {stale}"


# -- scheme examples ---------------------------------------------------------------------
def test_language_md_has_examples() -> None:
    assert len(scheme_blocks(LANGUAGE, "scheme")) >= 20
    assert len(scheme_blocks(LANGUAGE, "scheme-error")) >= 5


@pytest.mark.parametrize("block", _params("scheme"))
def test_scheme_example_compiles_clean(block: Block) -> None:
    try:
        ir = compile_text(block.body, EXAMPLE_FILE)
    except SchemeError as e:
        pytest.fail(f"{block.where()}: a ```scheme example does not compile:\n{e.render('en')}")
    declared = {(x["source"]["file"], x["source"]["line"]): x["id"] for x in [*ir["rules"], *ir["ratios"]]}
    for n, line in enumerate(block.body.splitlines(), start=1):
        m = _ID_COMMENT.search(line)
        if m:
            got = declared.get((EXAMPLE_FILE, n))
            assert got == m.group(1), f"{block.where()} line {n} of the block: the id is {got!r}, the docs say {m.group(1)!r}"


@pytest.mark.parametrize("block", _params("scheme-error"))
def test_scheme_error_example_fails(block: Block) -> None:
    with pytest.raises(SchemeError):
        compile_text(block.body, EXAMPLE_FILE)


# -- twins: one example in both spellings ----------------------------------------------------
def _twins() -> dict[str, list[Block]]:
    groups: dict[str, list[Block]] = {}
    for b in blocks(LANGUAGE):
        if b.twin:
            groups.setdefault(b.twin, []).append(b)
    return groups


def _placeless(ir: object) -> object:
    """The IR without where things stand (file names, `source` lines), which twins may differ in."""
    if isinstance(ir, dict):
        return {k: _placeless(v) for k, v in ir.items() if k not in ("source", "file", "files")}
    if isinstance(ir, list):
        return [_placeless(v) for v in ir]
    return ir


def test_language_md_has_twin_examples() -> None:
    assert len(_twins()) >= 10


@pytest.mark.parametrize("name,group", [pytest.param(n, g, id=f"twin={n}") for n, g in _twins().items()])
def test_twin_examples_compile_to_the_same_ir(name: str, group: list[Block]) -> None:
    where = ", ".join(b.where() for b in group)
    assert len(group) >= 2, f"{where}: twin={name} has no twin"
    assert all(b.lang == "scheme" for b in group), f"{where}: twin={name} marks a block that is not ```scheme"
    assert len({" ".join(b.body.split()) for b in group}) == len(group), f"{where}: twin={name}: two blocks are the same text"
    first = _placeless(compile_text(group[0].body, EXAMPLE_FILE))
    for b in group[1:]:
        got = _placeless(compile_text(b.body, EXAMPLE_FILE))
        assert got == first, f"{b.where()} compiles to another IR than its twin at {group[0].where()} (twin={name})"


# -- links inside docs/language.md ----------------------------------------------------------
def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_language_md_links_find_their_headings() -> None:
    text = LANGUAGE.read_text(encoding="utf-8")
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", _FENCE.sub("", text), re.M)}
    broken = sorted(set(re.findall(r"\]\(#([^)\s]+)\)", text)) - anchors)
    assert not broken, f"docs/language.md links to headings it does not have: {broken}"


# -- console transcripts -------------------------------------------------------------------
@dataclass
class Step:
    command: str
    expected: str


def _steps(body: str) -> list[Step]:
    steps: list[Step] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:], ""))
        elif steps:
            steps[-1].expected += line + "\n"
    return steps


def _transcripts(doc: Path) -> list[tuple[Block, list[Block]]]:
    """Each console block with the blocks before it that it may use: the scheme blocks, and
    the named files of other kinds (a data bundle's calendar.yaml and tables)."""
    out, before = [], []
    for b in blocks(doc):
        if b.lang in ("scheme", "scheme-error") or (b.file and b.lang != "console"):
            before.append(b)
        elif b.lang == "console":
            out.append((b, list(before)))
    return out


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _run_transcript(console: Block, before: list[Block], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update: bool = False) -> None:
    """Run each `$ …` line of a transcript in tmp_path; compare with the output shown under it
    (with `pytest --update-golden`, paste the new output into the doc instead)."""
    for b in before:  # named files, in order: a later block of the same name wins
        if b.file:
            (tmp_path / b.file).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / b.file).write_text(b.body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    last_exit = 0
    runner = CliRunner()
    for step in _steps(console.body):
        words = shlex.split(step.command)
        env: dict[str, str | None] = {"MENTORSHIP_LANG": None}
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            key, _, value = words.pop(0).partition("=")
            env[key] = value
        if words == ["echo", "$?"]:
            got = f"{last_exit}\n"
        else:
            assert words and words[0] == "mentorship", f"{console.where()}: only mentorship commands can be checked: {step.command}"
            unnamed = [b for b in before if not b.file]
            for arg in words[1:]:
                if arg.endswith(".scheme") and not (tmp_path / arg).exists() and unnamed:
                    (tmp_path / arg).write_text(unnamed[-1].body, encoding="utf-8")
            result = runner.invoke(cli, words[1:], env=env, prog_name="mentorship")
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise result.exception
            got, last_exit = result.output, result.exit_code
        if update and _normalise(got) != _normalise(step.expected):
            text = console.doc.read_text(encoding="utf-8")
            fresh = "\n".join(line.rstrip() for line in got.rstrip("\n").splitlines()) + "\n"
            assert step.expected in text, f"{console.where()}: cannot find the old output to update"
            console.doc.write_text(text.replace(step.expected, fresh, 1), encoding="utf-8")
            continue
        assert _normalise(got) == _normalise(step.expected), (
            f"{console.where()}: `{step.command}` prints something else than the docs show "
            f"(re-run it and paste the output):\n--- docs\n{step.expected}--- actual\n{got}"
        )


@pytest.mark.parametrize("console,before", [pytest.param(c, b, id=c.where()) for c, b in _transcripts(LANGUAGE)])
def test_language_md_transcript_is_real_output(
    console: Block, before: list[Block], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    _run_transcript(console, before, tmp_path, monkeypatch, update_golden)


@pytest.mark.parametrize("console,before", [pytest.param(c, b, id=c.where()) for c, b in _transcripts(CLI_DOC)])
def test_cli_md_transcript_is_real_output(
    console: Block, before: list[Block], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    _run_transcript(console, before, tmp_path, monkeypatch, update_golden)


# -- the command line ----------------------------------------------------------------------
def _cli_examples() -> list[tuple[Block, list[str]]]:
    """Every `mentorship …` command line in docs/cli.md's code blocks, split into words."""
    found = []
    for b in blocks(CLI_DOC):
        if b.lang not in ("console", "sh", "bash", "shell"):
            continue
        for line in b.body.splitlines():
            line = line.removeprefix("$ ").split("#", 1)[0].strip()
            words = shlex.split(line) if line else []
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                words.pop(0)
            if words and words[0] in ("mentorship", ".venv/bin/mentorship"):
                found.append((b, words[1:]))
    return found


SCHEME_COMMANDS = {"check", "fmt", "compile"}
# the group loads its commands lazily: ask it for each one
ALL_COMMANDS = {name: cli.get_command(click.Context(cli), name) for name in cli.list_commands(click.Context(cli))}  # the commands docs/cli.md is about


def test_cli_md_has_examples_of_every_scheme_command() -> None:
    used = {_split_global(args)[0] for _, args in _cli_examples()}
    assert SCHEME_COMMANDS <= set(ALL_COMMANDS), f"commands gone from the click group: {sorted(SCHEME_COMMANDS - set(ALL_COMMANDS))}"
    assert SCHEME_COMMANDS <= used, f"docs/cli.md has no example of: {sorted(SCHEME_COMMANDS - used)}"


def _split_global(args: list[str]) -> tuple[str | None, list[str]]:
    """(subcommand, its arguments) after the group's own options (--lang X, --help)."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] == "--lang" else 1
    return (args[i], args[i + 1 :]) if i < len(args) else (None, [])


def _options(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in getattr(p, "opts", [])} | {"-h", "--help"}


@pytest.mark.parametrize("block,args", [pytest.param(b, a, id=" ".join(a) or "mentorship") for b, a in _cli_examples()])
def test_cli_md_example_uses_a_real_command(block: Block, args: list[str]) -> None:
    """Every command in docs/cli.md's examples exists in the click group (mentorship.cli.cli), with its options."""
    command, rest = _split_global(args)
    for word in args[: len(args) - len(rest) - (command is not None)]:
        if word.startswith("-"):
            assert word in _options(cli), f"{block.where()}: `mentorship {word}` is not an option of mentorship"
    if command is None:
        return
    assert command in ALL_COMMANDS, f"{block.where()}: `mentorship {command}` is not a command (commands: {sorted(ALL_COMMANDS)})"
    for word in rest:
        if word.startswith("-"):
            assert word.split("=", 1)[0] in _options(ALL_COMMANDS[command]), f"{block.where()}: `mentorship {command}` has no option {word}"
