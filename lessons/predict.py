r"""Predict, then look: a multiple-choice question to answer *before* moving a slider.

A learner who commits to a guess first learns more from the figure that follows
(and a room that votes A, B or C first argues about it).  Put two to four of
these in a lesson, each just before the interactive figure that answers it::

    from lessons.predict import Question

    Question(
        "You will move β from 0.9 to 0.98. The average gets smoother; compared with the data, it will lag …",
        {
            "more": "β = 0.98 averages about the last 1/(1 − β) = 50 days instead of 10, and an average "
                    "of older days is later: the figure's title gives the lag in days.",
            "less": "A larger β gives *more* weight to old days, not less, so the average follows later.",
            "the same": "Smoothing is not free: the weight that calms the curve sits on older days, so the "
                        "curve moves later.",
        },
        answer="more",
    )

- ``prompt``: the question, in one or two sentences.  It may use ``**bold**``,
  ``*italic*``, ```code``` and ``$…$`` math.
- ``choices``: two to four short answers (they become buttons A, B, C, D: plain
  text, Unicode symbols such as β or α, no ``$…$``), each mapped to why it is right
  or wrong (the widget itself says "right" or "not quite").  Explain a wrong answer
  on its own terms (what it overlooks), the right one by what the figure will show.
- ``answer``: the right choice.

Clicking a choice (or Tab to it and Enter) colours it, marks it ✓ or ✗, and shows
its explanation; after a wrong choice the right answer and its explanation follow.
The learner may choose again.  ``question.value = "less"`` does the same from
Python (for tests).

Displayed, it is the live widget where a kernel runs, and elsewhere (a saved
notebook opened without running it, nbviewer) the question and its choices as
Markdown, with the answer in a collapsed ``<details>``.  Its text outputs depend
only on its arguments, so a question cell needs no ``nbval-ignore-output`` tag:
nbval compares it like any printed number.  Make the question its cell's last
expression (or ``display`` it); the classroom view (``make present``) shows it
with the lesson, and ``make present-smoke`` clicks every question it finds.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import ipywidgets as widgets

__all__ = ["Question"]

LETTERS = "ABCD"
MAX_CHOICE_LENGTH = 60
_INLINE = [  # a few Markdown marks, for prompts and explanations shown in HTML widgets
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])"), r"<i>\1</i>"),
]


def _html(text: str) -> str:
    """``text`` with HTML special characters escaped and ``**bold**``, ``*italic*``, ```code``` marked up."""
    text = html.escape(text, quote=False)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


class Question:
    """A multiple-choice question whose explanation is revealed by a choice, right or wrong.

    ``Question(prompt, {choice: why, …}, answer=choice)``; see the module's docstring.
    """

    def __init__(self, prompt: str, choices: Mapping[str, str], answer: str):
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError(f"prompt must be a non-empty string; got {prompt!r}")
        if not isinstance(choices, Mapping) or not 2 <= len(choices) <= 4:
            raise ValueError(f"choices must map 2 to 4 answers to their explanations; got {choices!r}")
        for choice, why in choices.items():
            if not isinstance(choice, str) or not choice.strip() or len(choice) > MAX_CHOICE_LENGTH:
                raise ValueError(f"each choice must be a short string (1 to {MAX_CHOICE_LENGTH} characters, it "
                                 f"becomes a button); got {choice!r}")
            if "$" in choice:
                raise ValueError(f"choice {choice!r} contains '$': a button cannot typeset math, write β, α, ≈ "
                                 "instead")
            if not isinstance(why, str) or not why.strip():
                raise ValueError(f"choice {choice!r} needs an explanation of why it is right or wrong; got {why!r}")
        if answer not in choices:
            raise ValueError(f"answer must be one of the choices {list(choices)}; got {answer!r}")
        self.prompt = prompt
        self.choices = dict(choices)
        self.answer = answer
        self._value: str | None = None

        self.buttons = [widgets.Button(description=self._label(choice), tooltip=choice,
                                       layout={"width": "auto", "max_width": "100%"})
                        for choice in self.choices]
        for button, choice in zip(self.buttons, self.choices, strict=True):
            button.on_click(lambda _, choice=choice: setattr(self, "value", choice))
        self.feedback = widgets.HTMLMath(value="")
        header = widgets.HTMLMath(value=f"<b>Predict, then look.</b> {_html(prompt)}")
        self.widget = widgets.VBox([header, widgets.VBox(self.buttons, layout={"align_items": "flex-start"}),
                                    self.feedback],
                                   layout={"border_left": "4px solid #E69F00", "padding": "4px 0 4px 12px",
                                           "margin": "12px 0"})
        self.widget.add_class("lessons-predict")

    def _letter(self, choice: str) -> str:
        return LETTERS[list(self.choices).index(choice)]

    def _label(self, choice: str, mark: str = "") -> str:
        return f"{mark}{self._letter(choice)}. {choice}"

    @property
    def value(self) -> str | None:
        """The learner's choice (None before any).  Setting it reveals that choice's explanation."""
        return self._value

    @value.setter
    def value(self, choice: str | None) -> None:
        if choice is not None and choice not in self.choices:
            raise ValueError(f"value must be one of the choices {list(self.choices)} or None; got {choice!r}")
        self._value = choice
        for button, option in zip(self.buttons, self.choices, strict=True):
            revealed = choice is not None and (option == choice or option == self.answer)
            right = option == self.answer
            button.description = self._label(option, ("✓ " if right else "✗ ") if revealed else "")
            button.button_style = ("success" if right else "danger") if revealed else ""
        self.feedback.value = "" if choice is None else self.explanation(choice, as_html=True)

    def explanation(self, choice: str, as_html: bool = False) -> str:
        """What a learner who picked ``choice`` reads: right or not, why, and (if not) the right answer and why."""
        text = _html if as_html else str
        bold = (lambda s: f"<b>{s}</b>") if as_html else (lambda s: f"**{s}**")
        paragraph = (lambda s: f"<p>{s}</p>") if as_html else (lambda s: f"{s}\n\n")
        if choice == self.answer:
            return paragraph(f"{bold(f'✓ {self._label(choice)}: right.')} {text(self.choices[choice])}").strip()
        wrong = paragraph(f"{bold(f'✗ {self._label(choice)}: not quite.')} {text(self.choices[choice])}")
        right = paragraph(f"{bold(f'The answer is {self._label(self.answer)}.')} {text(self.choices[self.answer])}")
        return (wrong + right).strip()

    def markdown(self) -> str:
        """The question for a viewer without a kernel: prompt and choices, the answer in a collapsed <details>."""
        choices = "\n".join(f"- **{self._letter(c)}.** {c}" for c in self.choices)
        reasons = "\n".join(f"- **{self._letter(c)}. {c}**{' (the answer)' if c == self.answer else ''}: {why}"
                            for c, why in self.choices.items())
        return (f"**Predict, then look.** {self.prompt}\n\n{choices}\n\n"
                f"<details><summary>Answer</summary>\n\n**{self._label(self.answer)}**\n\n{reasons}\n\n</details>\n")

    def __repr__(self) -> str:
        choices = "\n".join(f"  {self._letter(c)}. {c}" for c in self.choices)
        return f"Predict, then look. {self.prompt}\n{choices}"

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        bundle["text/markdown"] = self.markdown()
        return bundle
