"""server/ is the web server: it never imports its tools (server/tools: the bench, the load test), only the CLI
registers their subcommands, from inside its main(); no import cycles; no module past 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "server"
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SERVER.rglob("*.py")}


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name | ast.Attribute) and ast.unparse(node.test).endswith("TYPE_CHECKING")


def imports(path: Path) -> list[tuple[str, bool]]:
    """(server module imported, at module level?) for every import the module runs (not those under
    `if TYPE_CHECKING:`, which only a type checker reads)."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                continue
            inner = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((a.name, inner) for a in child.names if a.name.split(".")[0] == "server")
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.split(".")[0] == "server":
                for a in child.names:  # `from server import protocol` imports the module server.protocol
                    sub = f"{child.module}.{a.name}"
                    found.append((sub if sub in MODULES else child.module, inner))
            visit(child, inner)

    visit(ast.parse(path.read_text()), True)
    return found


def is_tool(module: str) -> bool:
    return module == "server.tools" or module.startswith("server.tools.")


def test_the_server_never_imports_its_tools() -> None:
    assert "server.tools.loadtest" in MODULES and "server.app" in MODULES  # the walk found the modules
    offenders = []
    for name, path in MODULES.items():
        if is_tool(name):
            continue
        for imported, top in imports(path):
            if is_tool(imported) and (name != "server.cli" or top):
                offenders.append(f"{name} imports {imported}" + (" at module level" if top else ""))
    assert offenders == [], "server/ must not import server/tools (only server.cli, inside main())"


def test_no_import_cycles_in_server() -> None:
    graph = {name: {m for m, _ in imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}
    assert graph["server.session"], "the graph has edges"
    cycles, done, stack = [], set(), []

    def walk(node: str) -> None:
        if node in stack:
            cycles.append(" -> ".join([*stack[stack.index(node):], node]))
            return
        if node in done:
            return
        stack.append(node)
        for nxt in sorted(graph[node]):
            walk(nxt)
        stack.pop()
        done.add(node)

    for name in sorted(graph):
        walk(name)
    assert cycles == []


def test_no_server_module_is_longer_than_300_lines() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
