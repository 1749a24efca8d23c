"""Every redaction rule against its own positive and negative examples (from rules.toml)."""

from __future__ import annotations

import pytest

from core.redact.redactor import Redactor, RulesError, parse_rules

DEFAULT = Redactor.from_default_rules()
RULES = {rule.id: rule for rule in DEFAULT.rules}


def test_every_rule_has_positive_and_negative_examples() -> None:
    for rule in DEFAULT.rules:
        assert rule.positive, f"{rule.id} has no positive example"
        assert rule.negative, f"{rule.id} has no negative example"


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [(r.id, t) for r in DEFAULT.rules for t in r.positive],
)
def test_positive_example_is_found_and_removed(rule_id: str, text: str) -> None:
    only_this = Redactor([RULES[rule_id]])
    findings = only_this.find(text)
    assert findings, f"{rule_id} missed {text!r}"
    clean = DEFAULT.redact(text)
    assert "[REDACTED:" in clean.text
    for finding in findings:
        secret = text[finding.start : finding.end]
        assert secret not in clean.text
        assert finding.label in clean.text or any(f.start <= finding.start for f in clean.findings)


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [(r.id, t) for r in DEFAULT.rules for t in r.negative],
)
def test_negative_example_is_left_alone(rule_id: str, text: str) -> None:
    assert Redactor([RULES[rule_id]]).find(text) == []


def test_findings_do_not_carry_the_secret_and_spans_point_at_it() -> None:
    text = "deploy with sk_test_FAKE0nly4Test5Fixture6Xyz7 and card 4111 1111 1111 1111 ok"
    result = DEFAULT.redact(text)
    spans = [text[f.start : f.end] for f in result.findings]
    assert "sk_test_FAKE0nly4Test5Fixture6Xyz7" in spans
    assert "4111 1111 1111 1111" in spans
    assert result.text == "deploy with [REDACTED:stripe_key] and card [REDACTED:card] ok"
    for finding in result.findings:
        assert set(type(finding).__slots__) == {"rule", "label", "start", "end"}


def test_text_without_secrets_is_returned_unchanged() -> None:
    text = "Morning all! The design review moved to 11:30. Port 8443, ticket #4521."
    result = DEFAULT.redact(text)
    assert result.text == text and result.findings == [] and not result.redacted


def test_overlapping_rules_replace_once() -> None:
    text = "password = Zq8vN2xR7tL4pW9kM3bJ6hF1"
    result = DEFAULT.redact(text)
    assert result.text == "password = [REDACTED:password]"


def test_bad_rules_file_is_a_clear_error() -> None:
    with pytest.raises(RulesError, match="bad pattern"):
        parse_rules('[[rule]]\nid = "x"\npattern = "(unclosed"\n')
    with pytest.raises(RulesError, match="unknown validator"):
        parse_rules('[[rule]]\nid = "x"\npattern = "a"\nvalidator = "magic"\n')
    with pytest.raises(RulesError, match="missing field"):
        parse_rules('[[rule]]\nid = "x"\n')
