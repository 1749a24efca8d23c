"""A rule's ``needs`` literals are a sound shortcut: every match of its pattern contains one of them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.redact.redactor import Redactor, RulesError, _may_match, parse_rules

DEFAULT = Redactor.from_default_rules()
RULES = {rule.id: rule for rule in DEFAULT.rules}


def lowered(text: str) -> str | None:
    return text.lower() if text.isascii() else None


def test_most_rules_have_needs() -> None:
    # The patterns that made imports slow (keyword rules, lookbehind starts) all have a shortcut.
    assert {r.id for r in DEFAULT.rules if not r.needs} == set()


@pytest.mark.parametrize(("rule_id", "text"), [(r.id, t) for r in DEFAULT.rules for t in r.positive])
def test_every_positive_example_passes_its_rules_needs(rule_id: str, text: str) -> None:
    rule = RULES[rule_id]
    assert _may_match(rule, text, lowered(text)), f"{rule_id}: needs {rule.needs} miss {text!r}"
    # ... also when the text is not ASCII (the regex path of ignore-case rules)
    assert _may_match(rule, "é " + text, None)


@pytest.mark.parametrize("rule_id", sorted(RULES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_generated_matches_always_pass_the_needs(rule_id: str, data: st.DataObject) -> None:
    """Hypothesis writes texts the pattern matches (case variants included): the shortcut never skips one.

    40 texts a rule (about a thousand in all): 100 cost ~80 s of a loaded CI machine for the same property."""
    rule = RULES[rule_id]
    text = data.draw(st.from_regex(rule.regex))
    if rule.regex.search(text) is None:  # from_regex ignores lookarounds now and then
        return
    assert _may_match(rule, text, lowered(text)), f"{rule_id}: needs {rule.needs} skip a match in {text!r}"


def test_text_without_the_needed_literal_skips_the_pattern() -> None:
    (rule,) = parse_rules('[[rule]]\nid = "x"\npattern = "zz+"\nneeds = ["qq"]\n')
    assert Redactor([rule]).find("zzzz") == []  # the pattern would match: the shortcut decides
    assert Redactor([rule]).find("qq zzzz") != []


def test_ignore_case_needs_follow_unicode_case_folding() -> None:
    (rule,) = parse_rules('[[rule]]\nid = "s"\npattern = "secret=\\\\w+"\nignore_case = true\nneeds = ["secret"]\n')
    long_s = "\u017fECRET=abc"  # the long s matches "s" under re.IGNORECASE; str.lower() keeps it apart
    assert rule.regex.search(long_s) and "secret" not in long_s.lower()
    assert Redactor([rule]).find(long_s) != []


@pytest.mark.parametrize("needs", ['"key"', "[]", '[""]', "[1]"])
def test_malformed_needs_are_refused(needs: str) -> None:
    with pytest.raises(RulesError, match="needs"):
        parse_rules(f'[[rule]]\nid = "x"\npattern = "a"\nneeds = {needs}\n')


def _without_shared_scan() -> Redactor:
    """The default rules with every rule's own literal check and no shared scan in front (the reference)."""
    reference = Redactor(DEFAULT.rules)
    reference._gate_open = lambda text, lowered: True  # type: ignore[method-assign]
    return reference


REFERENCE = _without_shared_scan()


@pytest.mark.parametrize(("rule_id", "text"), [(r.id, t) for r in DEFAULT.rules for t in r.positive])
def test_the_shared_literal_scan_finds_each_rules_secrets(rule_id: str, text: str) -> None:
    """One scan for all rules' literals decides which rules run: it finds what each rule alone finds."""
    for variant in (text, "é " + text, text.upper(), f"see {text} and 4111 1111 1111 1111"):
        found = DEFAULT.find(variant)
        assert found == REFERENCE.find(variant), f"{rule_id}: {variant!r}"
    assert any(f.rule == rule_id for f in DEFAULT.find(text)), f"{rule_id} missed {text!r}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_the_shared_literal_scan_never_skips_a_generated_match(rule_id: str, data: st.DataObject) -> None:
    rule = RULES[rule_id]
    text = data.draw(st.from_regex(rule.regex))
    if rule.regex.search(text) is None:
        return
    for variant in (text, "é " + text, f"note: {text}"):
        assert DEFAULT.find(variant) == REFERENCE.find(variant), f"{rule_id}: {variant!r}"
