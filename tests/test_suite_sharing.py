"""What the suite shares between the apps of its tests is what each app would make for itself."""

from werkzeug.routing.converters import NumberConverter

from tests.conftest import make_test_app
from tests.url_builders import SHARED


def sample_values(rule) -> dict:
    return {
        name: 7 if isinstance(converter, NumberConverter) else "Prepare é/ ?#"
        for name, converter in rule._converters.items()
    }


def test_shared_url_builders_build_what_werkzeug_builds(app, tmp_path, suite_database):
    rules = [rule for rule in app.url_map.iter_rules()]
    assert len(rules) > 50
    for rule in rules:
        values = sample_values(rule)
        for append_unknown in (False, True):
            own = SHARED.compile_builder(rule, append_unknown).__get__(rule, None)  # what werkzeug writes
            if append_unknown:  # values the rule does not take go to the query string
                assert rule.build({**values, "q": "a b", "page": 2}) == own(**values, q="a b", page=2), rule.rule
            else:
                assert rule.build(values, append_unknown=False) == own(**values), rule.rule
    # A second app finds every builder already made.
    hits, made = SHARED.hits, len(SHARED.builders)
    (tmp_path / "second").mkdir()
    second = make_test_app(tmp_path / "second", suite_database)
    assert len(SHARED.builders) == made
    assert SHARED.hits - hits == 2 * len(list(second.url_map.iter_rules()))
