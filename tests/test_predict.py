"""lessons.predict: the predict-first question reveals the right explanation for every choice, headless."""

import pytest

from lessons.predict import Question

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def smoothing_question() -> Question:
    return Question(
        "You will move β from 0.9 to 0.98. The average gets smoother; compared with the data, it will lag …",
        {
            "more": "β = 0.98 averages about 50 days instead of 10: an average of older days is later.",
            "less": "A larger β gives *more* weight to old days, not less.",
            "the same": "Smoothing is not free: the weight sits on older days.",
        },
        answer="more",
    )


def test_nothing_is_revealed_before_a_choice():
    question = smoothing_question()
    assert question.value is None
    assert question.feedback.value == ""
    assert [b.description for b in question.buttons] == ["A. more", "B. less", "C. the same"]
    assert all(b.button_style == "" for b in question.buttons)


def test_the_right_choice_says_so_and_why():
    question = smoothing_question()
    question.value = "more"
    assert "✓ A. more: right." in question.feedback.value
    assert "averages about 50 days instead of 10" in question.feedback.value
    assert "not quite" not in question.feedback.value
    assert [b.description for b in question.buttons] == ["✓ A. more", "B. less", "C. the same"]
    assert [b.button_style for b in question.buttons] == ["success", "", ""]


def test_a_wrong_choice_says_why_it_is_wrong_and_what_is_right():
    question = smoothing_question()
    question.value = "less"
    feedback = question.feedback.value
    assert "✗ B. less: not quite." in feedback
    assert "A larger β gives <i>more</i> weight to old days" in feedback     # its own explanation, marked up
    assert "The answer is A. more." in feedback
    assert "averages about 50 days instead of 10" in feedback                # and the right one's
    assert feedback.index("not quite") < feedback.index("The answer is")
    assert [b.description for b in question.buttons] == ["✓ A. more", "✗ B. less", "C. the same"]
    assert [b.button_style for b in question.buttons] == ["success", "danger", ""]


def test_a_click_chooses_and_a_learner_may_choose_again():
    question = smoothing_question()
    question.buttons[2].click()
    assert question.value == "the same"
    assert "✗ C. the same: not quite." in question.feedback.value
    question.buttons[0].click()
    assert question.value == "more"
    assert "✓ A. more: right." in question.feedback.value
    assert "C. the same" not in question.feedback.value
    assert question.buttons[2].description == "C. the same"
    question.value = None
    assert question.feedback.value == ""


def test_every_choice_reveals_an_explanation():
    question = smoothing_question()
    for choice, why in question.choices.items():
        question.value = choice
        assert why.split("*")[0] in question.feedback.value


def test_plain_text_explanation_for_static_viewers():
    question = smoothing_question()
    assert question.explanation("more") == ("**✓ A. more: right.** β = 0.98 averages about 50 days instead of 10: "
                                            "an average of older days is later.")
    assert question.explanation("less").endswith("**The answer is A. more.** β = 0.98 averages about 50 days "
                                                  "instead of 10: an average of older days is later.")


def test_static_fallback_hides_the_answer_in_details():
    markdown = smoothing_question().markdown()
    before, details = markdown.split("<details>")
    assert before.startswith("**Predict, then look.** You will move β from 0.9 to 0.98.")
    assert "- **A.** more\n- **B.** less\n- **C.** the same" in before
    for why in smoothing_question().choices.values():
        assert why not in before  # no explanation before the learner opens the answer
        assert why in details
    assert details.startswith("<summary>Answer</summary>\n\n**A. more**")
    assert details.rstrip().endswith("</details>")


def test_displayed_outputs_depend_only_on_the_arguments():
    """What nbval compares (all but the widget view) is the same for every build of the same question."""
    first, second = smoothing_question()._repr_mimebundle_(), smoothing_question()._repr_mimebundle_()
    assert first[WIDGET_VIEW]["model_id"] != second[WIDGET_VIEW]["model_id"]
    del first[WIDGET_VIEW], second[WIDGET_VIEW]
    assert first == second
    assert set(first) == {"text/plain", "text/markdown"}
    assert first["text/plain"] == ("Predict, then look. You will move β from 0.9 to 0.98. The average gets smoother; "
                                   "compared with the data, it will lag …\n  A. more\n  B. less\n  C. the same")
    assert "0x" not in first["text/plain"] + first["text/markdown"]


def test_prompt_is_escaped_and_marked_up():
    question = Question("Is `x < y` **always** true?", {"yes": "no", "no": "yes"}, answer="no")
    header = question.widget.children[0].value
    assert "<code>x &lt; y</code>" in header
    assert "<b>always</b>" in header


@pytest.mark.parametrize("prompt, choices, answer, message", [
    ("", {"a": "x", "b": "y"}, "a", "prompt must be a non-empty string"),
    ("p", {"a": "x"}, "a", "choices must map 2 to 4 answers"),
    ("p", {c: "x" for c in "abcde"}, "a", "choices must map 2 to 4 answers"),
    ("p", ["a", "b"], "a", "choices must map 2 to 4 answers"),
    ("p", {"a": "x", "b": ""}, "a", "choice 'b' needs an explanation"),
    ("p", {"a": "x", "b" * 61: "y"}, "a", "each choice must be a short string"),
    ("p", {"a": "x", "$\\beta$": "y"}, "a", "contains '$'"),
    ("p", {"a": "x", "b": "y"}, "c", "answer must be one of the choices ['a', 'b']; got 'c'"),
])
def test_authoring_mistakes_are_named(prompt, choices, answer, message):
    with pytest.raises(ValueError, match=message.replace("$", r"\$").replace("[", r"\[").replace("]", r"\]")):
        Question(prompt, choices, answer)


def test_a_value_that_is_not_a_choice_is_refused():
    question = smoothing_question()
    with pytest.raises(ValueError, match="value must be one of the choices"):
        question.value = "much more"
    assert question.value is None
