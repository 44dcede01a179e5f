"""The app's packages depend on each other in one direction only (summaries/README.md):
admin, importer, synthetic, api, alerts, feedback and external -> editorial and public ->
search -> models; tasks (the background-task machinery) sits just above models, for all of
them to use; export -> models (it requests pages through the URLconf, never imports how
they are made)."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

APP = Path(__file__).resolve().parent.parent / "summaries"

# What each package may import from the app, besides itself. sanitize, charts and
# converters are leaf utilities anyone may use; management commands and template tags
# sit on top.
ALLOWED = {
    "models": {"sanitize"},
    "tasks": {"models"},
    "search": {"models", "sanitize"},
    "editorial": {"public", "search", "models", "sanitize", "tasks"},
    "public": {"converters", "search", "models", "sanitize", "charts", "tasks"},
    "api": {"converters", "public", "search", "models"},
    "alerts": {"public", "models", "tasks"},
    "feedback": {"editorial", "public", "alerts", "models"},
    "external": {"editorial", "public", "alerts", "models"},
    "importer": {"editorial", "public", "search", "models", "sanitize", "tasks"},
    "synthetic": {"editorial", "public", "search", "models", "sanitize", "tasks"},
    "admin": {
        "converters",
        "editorial",
        "public",
        "search",
        "models",
        "sanitize",
        "charts",
        "tasks",
    },
    # Pages come through the URLconf (the test client), never from public's code.
    "export": {"models"},
    "sanitize": set(),
    "charts": set(),
    "converters": set(),
}


def _imported_packages(path: Path) -> set[str]:
    """The top-level parts of ``summaries`` a module imports (absolute or relative)."""
    module = path.relative_to(APP.parent).with_suffix("").parts
    package = module[:-1] if path.name != "__init__.py" else module[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                target = base + (node.module.split(".") if node.module else [])
                names = [target] if node.module else [target + [alias.name] for alias in node.names]
            else:
                names = [node.module.split(".")] if node.module else []
        else:
            continue
        for parts in names:
            if len(parts) >= 2 and parts[0] == "summaries":
                found.add(parts[1])
    return found


class LayoutTests(SimpleTestCase):
    def test_dependencies_point_one_way(self):
        """No package imports one above it (or beside it, unless the table says so)."""
        problems = []
        for package, allowed in ALLOWED.items():
            paths = [APP / f"{package}.py"] if (APP / f"{package}.py").exists() else []
            paths += sorted((APP / package).rglob("*.py")) if (APP / package).is_dir() else []
            self.assertTrue(paths, package)
            for path in paths:
                for imported in _imported_packages(path) - allowed - {package}:
                    problems.append(f"{path.relative_to(APP.parent)} imports summaries.{imported}")
        self.assertEqual(problems, [])

    def test_every_package_has_a_readme(self):
        """Each package says what it owns and what it may import."""
        for package in ALLOWED:
            if (APP / package).is_dir():
                with self.subTest(package=package):
                    self.assertTrue((APP / package / "README.md").exists())
