"""URL builders compiled once per process, not once per test app (tests/conftest.py puts this in place).

For each rule of each app werkzeug writes two URL builder functions (`Rule._compile_builder`: an AST made,
compiled and run), about 50 ms of CPU per app: a sixth of the suite's CPU, where every test has an app of its
own. The code it writes depends only on the rule, its parsed parts (`_trace`), its defaults (and the
converters that turn them into URL text) and `append_unknown`, which make the key here; the function found is
bound to each rule afresh by `Rule.compile`, as werkzeug binds the one it has just written. Only the suite
shares them: the app itself compiles its rules once. tests/test_suite_sharing.py holds every rule of the app
to build the same URLs as werkzeug's own builders.
"""

from collections.abc import Callable

from werkzeug.routing import Rule


class SharedUrlBuilders:
    def __init__(self, compile_builder: Callable) -> None:
        self.compile_builder = compile_builder
        self.builders: dict[tuple, Callable] = {}
        self.hits = 0

    @staticmethod
    def key(rule: Rule, append_unknown: bool) -> tuple:
        defaults = rule.defaults or {}
        converters = tuple(
            (name, type(converter), repr(sorted((k, v) for k, v in vars(converter).items() if k != "map")))
            for name, converter in rule._converters.items()
            if name in defaults
        )
        values = tuple((name, type(value), repr(value)) for name, value in defaults.items())
        return (rule.rule, append_unknown, tuple(rule._trace), values, converters)

    def __call__(self, rule: Rule, append_unknown: bool = True) -> Callable:
        key = self.key(rule, append_unknown)
        if (builder := self.builders.get(key)) is None:
            builder = self.builders[key] = self.compile_builder(rule, append_unknown)
        else:
            self.hits += 1
        return builder


SHARED = SharedUrlBuilders(Rule._compile_builder)


def share_url_builders() -> SharedUrlBuilders:
    if Rule._compile_builder is not SHARED.compile_builder:
        return SHARED  # already in place
    Rule._compile_builder = lambda rule, append_unknown=True: SHARED(rule, append_unknown)
    return SHARED
