"""Abstention: a named person must be the one the evidence is about, not only the one spoken to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.answer.abstain import Abstention, about_persons, mentioned_beyond_address
from core.answer.types import Snippet
from core.types import ItemId

STRICT = Abstention(strict_person=True)


def _snippet(text: str, speaker: str) -> Snippet:
    return Snippet(number=1, item_id=ItemId(1), timestamp=datetime(2023, 5, 8, tzinfo=UTC), source="chat",
                   text=text, speaker=speaker)


@pytest.mark.parametrize(
    ("text", "mentioned"),
    [
        ("Thanks, Melanie! This necklace is a gift from my grandma.", False),
        ("Hey Melanie, how have you been?", False),
        ("That's so sweet, Melanie.", False),
        ("I told Melanie about the necklace.", True),
        ("Melanie's kids loved the zoo.", True),
        ("Melanie is painting a lake sunrise.", True),
        ("Thanks, Melanie! I saw Melanie paint it yesterday.", True),
    ],
)
def test_an_address_is_not_a_mention(text: str, mentioned: bool) -> None:
    assert mentioned_beyond_address(text, "Melanie") is mentioned


def test_strict_policy_keeps_what_the_person_said_or_what_is_said_about_them() -> None:
    addressed = _snippet("Thanks, Melanie! My grandma gave me this necklace.", "Caroline")
    assert about_persons(addressed, ["Melanie"], Abstention(strict_person=False))  # the lenient policy is fooled
    assert not about_persons(addressed, ["Melanie"], STRICT)
    assert about_persons(_snippet("I painted a lake sunrise last year.", "Melanie"), ["Melanie"], STRICT)
    assert about_persons(_snippet("Melanie's sunrise painting is on my wall.", "Caroline"), ["Melanie"], STRICT)
    assert about_persons(addressed, [], STRICT)


def test_a_weak_match_about_the_person_is_outweighed_by_someone_elses_strong_one() -> None:
    from core.answer.abstain import outweighed

    terms = ["adopt", "agenc", "research"]
    theirs = _snippet("I'm researching adoption agencies, it's my dream to adopt.", "Caroline")
    mine = _snippet("Good luck with it all! I'm so proud of you.", "Melanie")
    policy = Abstention(margin=1.0)
    assert outweighed([theirs, mine], [mine], terms, policy)
    assert not outweighed([theirs, mine], [theirs], terms, policy)
    assert not outweighed([theirs, mine], [mine], terms, Abstention(margin=0.0))
    asked = _snippet("Did you research adoption agencies and adopt?", "Caroline")
    assert not outweighed([asked, mine], [mine], terms, policy), "a question asserts nothing"


def test_with_statements_only_a_question_by_the_named_person_is_not_evidence_about_them() -> None:
    policy = Abstention(statements_only=True)
    asked = _snippet("Love the tattoo, did you just get the tattoo?", "Jon")
    told = _snippet("My tattoo stands for my family, I got the tattoo last spring.", "Jon")
    assert not about_persons(asked, ["Jon"], policy, ["tattoo"])
    assert about_persons(told, ["Jon"], policy, ["tattoo"])
    assert about_persons(asked, ["Jon"], Abstention(statements_only=False, reactions=False), ["tattoo"])


@pytest.mark.parametrize(
    ("sentence", "reaction"),
    [
        ("Sorry to hear about your job, John.", True),
        ("That's awesome news about the internship, so stoked for you!", True),
        ("I lost my job at the company last month.", False),
        ("My kids and I painted a sunset.", False),
        ("I'm so proud of you, your painting is great.", False),
        ("The necklace is from Sweden.", False),
    ],
)
def test_a_sentence_about_you_and_not_me_is_a_reaction(sentence: str, reaction: bool) -> None:
    from core.answer.abstain import reacts_to_other

    assert reacts_to_other(sentence) is reaction


def test_with_reactions_the_named_persons_reaction_to_the_other_is_not_about_them() -> None:
    terms = ["happen", "job"]
    reaction = _snippet("Sorry to hear about your job, John. That must be hard.", "Maria")
    own = _snippet("I lost my job last week, the company closed.", "Maria")
    policy = Abstention(reactions=True)
    assert about_persons(reaction, ["Maria"], Abstention(reactions=False), terms)
    assert not about_persons(reaction, ["Maria"], policy, terms)
    assert about_persons(own, ["Maria"], policy, terms)
    told = _snippet("Your news is sad. Maria's job is gone too, you know.", "Maria")
    assert about_persons(told, ["Maria"], policy, terms), "still about Maria when she is mentioned"


def test_with_participants_only_a_named_non_speaker_is_what_the_question_is_about() -> None:
    from core.answer.abstain import subjects

    johns = _snippet("Thanks, Maria! Max and I had a blast on our camping trip.", "John")
    marias = _snippet("Wow, sounds like you and Max had a great time!", "Maria")
    persons = ["Maria", "Max"]
    assert about_persons(johns, persons, STRICT), "Max is mentioned, so the lenient reading keeps John's trip"
    named = subjects([johns, marias], persons, Abstention(participants_only=True))
    assert named == ("Maria",)
    assert not about_persons(johns, named, STRICT)
    assert subjects([johns], ["Rob"], Abstention(participants_only=True)) == ("Rob",), "nobody speaks: keep all"
    assert subjects([johns, marias], persons, Abstention(participants_only=False)) == tuple(persons)


def test_the_other_speakers_story_with_the_name_swapped_is_not_answered() -> None:
    from core.answer.abstain import swapped_speaker

    # "What does Melanie's necklace mean to her?": the necklace is Caroline's; Melanie only praised colours
    story = _snippet("This necklace is super special to me, it stands for love and faith.", "Caroline")
    remark = _snippet("The colours are so bright!", "Melanie")
    terms = ["necklace", "mean"]
    close = {"This necklace is super special to me, it stands for love and faith.": 0.7,
             "The colours are so bright!": 0.2}
    on = Abstention(speaker_margin=0.55)
    assert swapped_speaker([story, remark], ["Melanie"], terms, close, on)
    assert not swapped_speaker([story, remark], ["Melanie"], terms, close, Abstention(speaker_margin=0.0))
    # Caroline's own question is answered from her own story
    assert not swapped_speaker([story, remark], ["Caroline"], terms, close, on)
    # a near tie is not a swap: Melanie's own words about her necklace hold up against Caroline's
    own = _snippet("My necklace means a lot to me.", "Melanie")
    assert not swapped_speaker([story, own], ["Melanie"], terms, {**close, "My necklace means a lot to me.": 0.6},
                               on)


def test_the_named_persons_echo_of_the_others_story_is_not_their_own() -> None:
    from dataclasses import replace

    from core.answer.abstain import echoes_other

    # "Why did John join a nearby church?": Maria joined it; John only cheered her on
    story = replace(_snippet("Just yesterday I joined a church to feel closer to my community.", "Maria"),
                    number=4, conversation="c")
    echo = replace(_snippet("Joining a church can be really encouraging. I'm thrilled for you.", "John"),
                   number=5, conversation="c")
    terms = ["join", "nearby", "church"]
    on = Abstention(echoes=True)
    assert echoes_other(echo, [story, echo], ["John"], terms, {}, on)
    assert not echoes_other(echo, [story, echo], ["John"], terms, {}, Abstention(echoes=False))
    # Maria's own message is her story, whatever precedes it
    assert not echoes_other(story, [story, echo], ["Maria"], terms, {}, on)
    # John speaking of his own church, not to "you", is his own story
    own = replace(echo, text="Joining a church has been really encouraging for me.")
    assert not echoes_other(own, [story, own], ["John"], terms, {}, on)
    # … and so is a reply to "you" whose matching part speaks of the speaker ("me")
    mine = replace(echo, text="Joining a church helped me a lot too. Glad it works for you!")
    assert not echoes_other(mine, [story, mine], ["John"], terms, {}, on)
    # … and a reply that matches the question better than what came before
    richer = replace(echo, text="I joined the nearby church too, you were right about it!")
    assert not echoes_other(richer, [story, richer], ["John"], terms, {}, on)
    # only the message just before counts, in the same conversation
    elsewhere = replace(story, conversation="other")
    assert not echoes_other(echo, [elsewhere, echo], ["John"], terms, {}, on)
