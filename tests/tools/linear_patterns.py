"""Which regular expressions of a source tree can take more than linear time on some text.

Usage: ``python tests/tools/linear_patterns.py [ROOT]`` (default ``ft_dcc/server``) prints every
pattern found and what is wrong with it; exit status 1 when one is.

Every ``re.compile``/``re.<function>`` call is found with ``ast`` (a pattern that is not a literal
text, or ``re`` imported under another name, is a finding of its own: the lint must be able to
read what it checks). Each pattern is parsed with Python's own parser (``re._parser``) and its
positions (the parts that consume one character) linked as a Glushkov automaton: which position
may follow which, over an approximation of each position's characters (its members among the
first 768 code points and a few beyond). Python's engine backtracks; it stays linear when:

* **no ambiguity under a loop**: after any position (and at the start), no two different next
  positions can take the same character where one of them is in an unbounded loop
  (``[a-z_]*token``, ``\\s*\\d*\\s*``), and no next position is reached two ways (nested loops:
  ``(a+)+``), and no unbounded loop repeats something that can match nothing (``(a*)*``);
* **no overlapping failed scans** (for ``search``, ``sub``, ``findall``, ``finditer``,
  ``split``: every start position is tried): an attempt that can run through an unbounded loop
  and still fail (the loop is not followed by "the match may end here") must not be able to
  start again inside the run it scanned: the start cannot reach that loop through the loop's own
  characters, or a guard before the first position excludes them (a look-behind, ``\\b``, ``^``
  of a multi-line pattern), or the pattern is anchored (``^``, ``\\A``, ``match``,
  ``fullmatch``).

Bounded repetition (``{1,64}``) counts as a constant. The approximation is conservative: a
linear pattern it cannot prove is reported, and the caller either rewrites it or names it, with
its reason, as reviewed (``tests/tools/test_linear_patterns.py``).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

try:  # Python 3.11+
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

C = sre_constants
MAXREPEAT = C.MAXREPEAT
#: the characters each position is checked on
UNIVERSE: Tuple[int, ...] = (*range(0x300), 0x2028, 0x3000, 0xFEFF, 0xFFFF, 0x1F600)
#: the calls that try a pattern at every start position
SCANNING = {"search", "sub", "subn", "findall", "finditer", "split"}
ANCHORED = {"match", "fullmatch"}
START = -1
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
}  # fmt: skip
_END = {C.AT_END, C.AT_END_STRING}


def _members(expression: str, ascii_only: bool) -> FrozenSet[int]:
    pattern = re.compile(expression, re.ASCII if ascii_only else 0)
    return frozenset(c for c in UNIVERSE if pattern.match(chr(c)))


@dataclass
class _Frag:
    first: List[int]
    last: List[int]
    nullable: bool


@dataclass
class Automaton:
    """A pattern's positions, what may follow each (with repeats: reached two ways), which are
    in unbounded loops, and its problems found while building."""

    chars: List[FrozenSet[int]] = field(default_factory=list)
    follow: Dict[int, List[int]] = field(default_factory=dict)
    loops: Set[int] = field(default_factory=set)
    problems: List[str] = field(default_factory=list)
    last: Set[int] = field(default_factory=set)
    is_bytes: bool = False

    def position(self, chars: FrozenSet[int]) -> _Frag:
        self.chars.append(chars)
        index = len(self.chars) - 1
        self.follow[index] = []
        return _Frag([index], [index], False)

    def link(self, sources: List[int], targets: List[int]) -> None:
        for source in sources:
            self.follow.setdefault(source, []).extend(targets)


def _case_folded(chars: Set[int]) -> FrozenSet[int]:
    more = set(chars)
    for c in chars:
        more.update(ord(x) for x in (chr(c).lower(), chr(c).upper()) if len(x) == 1)
    return frozenset(c for c in more if c in _UNIVERSE_SET)


_UNIVERSE_SET = frozenset(UNIVERSE)


def _set_of(op: object, av: object, flags: int, is_bytes: bool) -> FrozenSet[int]:
    universe = frozenset(c for c in UNIVERSE if not is_bytes or c < 256)
    ascii_only = is_bytes or bool(flags & re.ASCII)
    found: Set[int]
    if op is C.LITERAL:
        found = {int(av)}  # type: ignore[call-overload]
    elif op is C.NOT_LITERAL:
        found = set(universe - _case_folded({int(av)}) if flags & re.I else universe - {av})  # type: ignore[call-overload]
    elif op is C.ANY:
        found = set(universe if flags & re.S else universe - {10})
    else:  # IN
        found, negate = set(), False
        for item_op, item in av:  # type: ignore[attr-defined]
            if item_op is C.NEGATE:
                negate = True
            elif item_op is C.LITERAL:
                found.add(item)
            elif item_op is C.RANGE:
                found.update(c for c in universe if item[0] <= c <= item[1])
            elif item_op is C.CATEGORY:
                found.update(_members(_CATEGORIES[item], ascii_only))
        if flags & re.I:
            found = set(_case_folded(found))
        found = set(universe - found) if negate else found
    if flags & re.I and op is C.LITERAL:
        found = set(_case_folded(found))
    return frozenset(c for c in found if c in universe)


def _concat(auto: Automaton, parts: List[_Frag]) -> _Frag:
    result = _Frag([], [], True)
    for part in parts:
        auto.link(result.last, part.first)
        first = result.first + (part.first if result.nullable else [])
        last = part.last + (result.last if part.nullable else [])
        result = _Frag(first, last, result.nullable and part.nullable)
    return result


def _repeat(auto: Automaton, av: Tuple[int, int, object], flags: int) -> _Frag:
    low, high, body_items = av
    if high == 0:
        return _Frag([], [], True)
    before = len(auto.chars)
    body = _build(auto, body_items, flags)
    if high == MAXREPEAT:
        auto.loops.update(range(before, len(auto.chars)))
        if body.nullable:
            auto.problems.append("an unbounded loop repeats something that can match nothing")
    if high > 1:
        auto.link(body.last, body.first)
    return _Frag(body.first, body.last, low == 0 or body.nullable)


def _node(auto: Automaton, op: object, av: object, flags: int) -> _Frag:
    if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
        return auto.position(_set_of(op, av, flags, auto.is_bytes))
    if op is C.SUBPATTERN:
        _group, add, remove, items = av  # type: ignore[misc]
        return _build(auto, items, (flags | add) & ~remove)
    if op is C.ATOMIC_GROUP:
        return _build(auto, av, flags)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        return _repeat(auto, av, flags)  # type: ignore[arg-type]
    if op is C.BRANCH:
        alternatives = [_build(auto, items, flags) for items in av[1]]  # type: ignore[index]
        return _Frag([p for a in alternatives for p in a.first],
                     [p for a in alternatives for p in a.last],
                     any(a.nullable for a in alternatives))  # fmt: skip
    if op is C.AT:
        ends = av in _END or (av is C.AT_END_LINE)
        return _Frag([], [], not ends)
    if op in (C.ASSERT, C.ASSERT_NOT):
        return _Frag(
            [], [], True
        )  # zero width (a look-around's own text is bounded: checked apart)
    auto.problems.append(f"cannot check {op} (a back-reference or a conditional group)")
    return _Frag([], [], True)


def _build(auto: Automaton, items: object, flags: int) -> _Frag:
    return _concat(auto, [_node(auto, op, av, flags) for op, av in items])  # type: ignore[attr-defined]


def _guard(
    items: List[Tuple[object, object]], flags: int, is_bytes: bool
) -> Tuple[bool, FrozenSet[int]]:
    """(anchored, the characters none of which may stand just before a start position)."""
    guard: Set[int] = set()
    for op, av in items:
        if op is C.AT and av in (C.AT_BEGINNING_STRING, C.AT_BEGINNING):
            if av is C.AT_BEGINNING_STRING or not flags & re.M:
                return True, frozenset()
            guard.update(c for c in UNIVERSE if c != 10)
        elif op is C.AT and av is C.AT_BOUNDARY:
            guard.update(_members(r"\w", is_bytes or bool(flags & re.ASCII)))
        elif op is C.ASSERT_NOT and av[0] == -1 and len(av[1]) == 1:  # type: ignore[index]
            ((inner_op, inner_av),) = list(av[1])  # type: ignore[index]
            if inner_op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
                guard.update(_set_of(inner_op, inner_av, flags, is_bytes))
        elif op is C.SUBPATTERN and av[1] == 0 and av[2] == 0:  # type: ignore[index]
            continue  # a group's own guard is not looked into
        else:
            break
    return False, frozenset(guard)


def analyse(pattern: object, flags: int = 0, scanning: bool = True) -> List[str]:
    """What may make ``pattern`` more than linear (``[]``: nothing); ``scanning``: it is tried
    at every start position (``search``, ``sub``...), not only at one (``match``)."""
    parsed = sre_parse.parse(pattern, flags)  # type: ignore[arg-type]
    flags = parsed.state.flags
    auto = Automaton(is_bytes=isinstance(pattern, bytes))
    whole = _build(auto, parsed, flags)
    auto.follow[START] = list(whole.first)
    auto.last = set(whole.last)
    problems = list(auto.problems) + _ambiguities(auto)
    anchored, guard = _guard(list(parsed), flags, auto.is_bytes)
    if scanning and not anchored:
        problems += _overlapping_scans(auto, guard)
    return sorted(set(problems))


def _ambiguities(auto: Automaton) -> List[str]:
    found = []
    for _source, targets in auto.follow.items():
        seen: Set[int] = set()
        for target in targets:
            if target in seen and target in auto.loops:
                found.append("a loop's position is reached two ways (nested repetition)")
            seen.add(target)
        ordered = sorted(seen)
        for i, one in enumerate(ordered):
            for other in ordered[i + 1 :]:
                looped = one in auto.loops or other in auto.loops
                if looped and auto.chars[one] & auto.chars[other]:
                    found.append("two ways to go on with the same character, one of them a loop "
                                 "(an ambiguous repetition)")  # fmt: skip
    return found


def _overlapping_scans(auto: Automaton, guard: FrozenSet[int]) -> List[str]:
    risky = [p for p in auto.loops if p not in auto.last]
    run: Set[int] = set()
    for p in risky:
        run |= auto.chars[p]
    if not risky or run <= guard:
        return []
    reached, todo = set(), [p for p in auto.follow[START] if auto.chars[p] & run]
    while todo:
        p = todo.pop()
        if p in reached:
            continue
        reached.add(p)
        if p in risky:
            return ["a failed attempt's scan can be scanned again from each of its characters "
                    "(guard the start or make the loop's tail optional)"]  # fmt: skip
        todo += [q for q in auto.follow.get(p, []) if auto.chars[q] & run]
    return []


@dataclass
class Found:
    """One pattern of the tree, where it is, how it is used and what is wrong with it."""

    path: str
    line: int
    name: str
    pattern: Optional[object]
    flags: int
    uses: Set[str]
    problems: List[str]


def _flags(node: Optional[ast.expr]) -> Optional[int]:
    if node is None:
        return 0
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "re"
    ):
        return int(getattr(re, node.attr))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _flags(node.left), _flags(node.right)
        return None if left is None or right is None else left | right
    return None


def _re_calls(tree: ast.AST) -> Iterator[Tuple[ast.Call, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            value = node.func.value
            if isinstance(value, ast.Name) and value.id == "re":
                yield node, node.func.attr


def _assigned_names(tree: ast.AST) -> Dict[int, str]:
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                names[id(node.value)] = targets[0].id
    return names


def _uses(tree: ast.AST, name: str) -> Set[str]:
    """How the module uses the pattern called ``name``: the methods called on it, and
    "passed on" when it is used any other way (then assumed to scan)."""
    methods = [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    ]
    loaded = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
    ]
    return set(methods) | ({"passed on"} if len(loaded) > len(methods) else set())


def _spellings(tree: ast.AST, path: str) -> Iterator[Found]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "re" and alias.asname not in (None, "re"):
                    problem = f"re imported as {alias.asname}: import re, so the lint finds it"
                    yield Found(path, node.lineno, "import", None, 0, set(), [problem])
        if isinstance(node, ast.ImportFrom) and node.module == "re":
            yield Found(
                path,
                node.lineno,
                "import",
                None,
                0,
                set(),
                ["from re import ...: use re.<name>, so the lint can find the patterns"],
            )


#: a terminal of a Lark grammar given as one regular expression: ``NAME.2: /[a-z_]+/i``
_TERMINAL = re.compile(r"^([A-Z_][A-Z0-9_]*)(?:\.\d+)?:\s*/(.+)/([imsx]*)\s*$")
_LARK_FLAGS = {"i": re.I, "m": re.M, "s": re.S, "x": re.X}


def grammar_terminals(root: Path, base: Optional[Path] = None) -> List[Found]:
    """The regular-expression terminals of every Lark grammar under ``root`` (its lexer matches
    each at one position at a time: anchored)."""
    results: List[Found] = []
    for file in sorted(root.rglob("*.lark")):
        path = str(file.relative_to(base)) if base else str(file)
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            found = _TERMINAL.match(line.strip())
            if found is None:
                continue
            name, pattern, letters = found.groups()
            flags = 0
            for letter in letters:
                flags |= _LARK_FLAGS[letter]
            results.append(Found(path, number, name, pattern, flags, {"match"},
                                 analyse(pattern, flags, scanning=False)))  # fmt: skip
    return results


def find(root: Path, base: Optional[Path] = None) -> List[Found]:
    """Every pattern under ``root`` (paths shown relative to ``base``) and its problems: the
    ``re`` calls of its Python files and the terminals of its grammars."""
    results: List[Found] = grammar_terminals(root, base)
    for file in sorted(root.rglob("*.py")):
        source = file.read_text(encoding="utf-8")
        tree = ast.parse(source)
        path = str(file.relative_to(base)) if base else str(file)
        results += list(_spellings(tree, path))
        names = _assigned_names(tree)
        for call, function in _re_calls(tree):
            if function in ("escape", "error", "Pattern", "Match", "purge") or not call.args:
                continue
            results.append(_found(path, call, function, names, tree))
    return results


def _found(path: str, call: ast.Call, function: str, names: Dict[int, str], tree: ast.AST) -> Found:
    name = names.get(id(call), f"re.{function}")
    flag_node = next((k.value for k in call.keywords if k.arg == "flags"), None)
    if flag_node is None:
        flag_node = call.args[1] if function == "compile" and len(call.args) > 1 else None
        if function in ("sub", "subn", "split") and len(call.args) > 4:
            flag_node = call.args[4]
        elif (
            function in ("search", "match", "fullmatch", "findall", "finditer")
            and len(call.args) > 2
        ):
            flag_node = call.args[2]
    flags = _flags(flag_node)
    node = call.args[0]
    if (
        not isinstance(node, ast.Constant)
        or not isinstance(node.value, (str, bytes))
        or flags is None
    ):
        return Found(
            path,
            call.lineno,
            name,
            None,
            0,
            set(),
            ["the pattern (or its flags) is not a literal: the lint cannot read it"],
        )
    uses = {function} if function != "compile" else _uses(tree, name)
    scanning = not uses or not uses <= ANCHORED
    return Found(path, call.lineno, name, node.value, flags, uses,
                 analyse(node.value, flags, scanning))  # fmt: skip


def main(argv: List[str]) -> int:
    root = Path(argv[0]) if argv else Path("ft_dcc/server")
    bad = 0
    for found in find(root):
        mark = "BAD " if found.problems else "ok  "
        bad += bool(found.problems)
        print(
            f"{mark}{found.path}:{found.line} {found.name} {found.pattern!r} {sorted(found.uses)}"
        )
        for problem in found.problems:
            print(f"      {problem}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
