"""Which action of the tracker each action of the file is: by its words first, its number second.

Plans get renumbered: a new Prevent 2 goes in and the old Prevent 2 and 3 become 3 and 4. History (updates,
RAG decisions, owners) must follow the action, not the number, so the file's actions are matched in passes:

1. the same strand and ref with the same What (or no What to compare): the same action;
2. the same What, word for word, under another ref: the action was renumbered (clear, no need to ask);
3. otherwise the most similar pairs first: at the same ref it is the same action reworded; under another ref
   it *may* be a renumbering, which only a person can say: it becomes a question, and until it is answered
   the numbers are kept;
4. a file action left over takes the tracker's action at its ref if that is free, or is a new action.

A tracker action that matches nothing is "not in the file" and is kept: an import never deletes.
"""

from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from app.models import Action
from app.services.importing.findings import ActionRead
from app.services.importing.passages import common_subsequence, first_words, normalise, ratio_of, shared_letters

SIMILAR = 0.6  # What this alike under another ref may be the same action renumbered
MAX_PAIRS = 250_000  # beyond this many comparisons only actions of the same strand are compared


@dataclass
class Question:
    """A possible renumbering that a person must confirm: the file's action may be the tracker's other one."""

    file_ref: str
    tracker_ref: str
    file_text: str
    tracker_text: str
    answer: bool | None = None

    @property
    def key(self) -> str:
        return f"{self.file_ref} <- {self.tracker_ref}"

    def __str__(self) -> str:
        return (
            f"{self.file_ref} in the file reads like {self.tracker_ref} in the tracker: renumbered? "
            f"(file: '{first_words(self.file_text, 50)}'; tracker: '{first_words(self.tracker_text, 50)}')"
        )


@dataclass
class Matching:
    pairs: list[tuple[ActionRead, Action | None]] = field(default_factory=list)  # in the file's order
    renumbered: dict[int, str] = field(default_factory=dict)  # action id -> its display ref before the import
    questions: list[Question] = field(default_factory=list)
    not_in_file: list[Action] = field(default_factory=list)


def _key(strand, ref: str) -> tuple:
    return strand, ref


def match_actions(reads: list[ActionRead], stored: list[Action], answers: dict[str, bool]) -> Matching:
    """Pair each action of the file with the tracker's action it is (None: a new action)."""
    result = Matching()
    by_key = {_key(action.strand, action.ref): action for action in stored}
    chosen: dict[int, Action] = {}  # index in the file -> stored action
    used: set[int] = set()

    def take(index: int, action: Action) -> None:
        chosen[index] = action
        used.add(action.id)
        if _key(action.strand, action.ref) != _key(reads[index].strand, reads[index].ref):
            result.renumbered[action.id] = action.display_ref

    texts = [normalise(read.what) for read in reads]
    stored_texts = {action.id: normalise(action.what) for action in stored}
    for index, read in enumerate(reads):  # 1. same ref, same words
        action = by_key.get(_key(read.strand, read.ref))
        if action is not None and (
            not texts[index] or not stored_texts[action.id] or texts[index] == stored_texts[action.id]
        ):
            take(index, action)
    _same_words_elsewhere(reads, texts, stored, stored_texts, chosen, used, take)
    _most_similar(reads, texts, stored, stored_texts, chosen, used, take, answers, result)
    for index, read in enumerate(reads):  # 4. what is left: the action at the same ref, or a new one
        if index not in chosen:
            action = by_key.get(_key(read.strand, read.ref))
            if action is not None and action.id not in used:
                take(index, action)
    result.pairs = [(read, chosen.get(index)) for index, read in enumerate(reads)]
    result.not_in_file = [action for action in stored if action.id not in used]
    return result


def _same_words_elsewhere(reads, texts, stored, stored_texts, chosen, used, take) -> None:
    """2. The same What under another ref, when those words name one action on each side."""
    file_counts: dict[str, int] = {}
    for index, text in enumerate(texts):
        if index not in chosen and text:
            file_counts[text] = file_counts.get(text, 0) + 1
    free: dict[str, list[Action]] = {}
    for action in stored:
        if action.id not in used and stored_texts[action.id]:
            free.setdefault(stored_texts[action.id], []).append(action)
    for index, text in enumerate(texts):
        if index in chosen or not text or file_counts.get(text) != 1 or len(free.get(text, [])) != 1:
            continue
        take(index, free[text][0])


def _most_similar(reads, texts, stored, stored_texts, chosen, used, take, answers, result: Matching) -> None:
    """3. The most alike pairs first: reworded in place, or a renumbering to ask about."""
    left = [index for index in range(len(reads)) if index not in chosen and texts[index]]
    free = [action for action in stored if action.id not in used and stored_texts[action.id]]
    same_strand_only = len(left) * len(free) > MAX_PAIRS
    scored = []
    # Each tracker action's matcher is made once (SequenceMatcher indexes its second text when made) and given
    # each file action in turn. A pair at another ref counts only from SIMILAR up, so it is not matched when a
    # bound of its ratio rules it out: the lengths (real_quick_ratio), the letters in common (quick_ratio), the
    # longest common subsequence (the matcher's blocks are one). A pair at the same ref is always matched: its
    # ratio orders it. The pairs are sorted as they were when the file's actions came first (its index, then the
    # tracker action's).
    letters: dict[int, Counter[str]] = {}  # index in the file -> its text's letters, counted when first needed
    for position, action in enumerate(free):
        stored_text = stored_texts[action.id]
        stored_letters: Counter[str] | None = None
        matcher: SequenceMatcher | None = None
        for index in left:
            read = reads[index]
            if same_strand_only and action.strand != read.strand:
                continue
            same_ref = _key(action.strand, action.ref) == _key(read.strand, read.ref)
            if not same_ref:
                text, total = texts[index], len(texts[index]) + len(stored_text)
                if ratio_of(min(len(text), len(stored_text)), total) < SIMILAR:
                    continue
                stored_letters = Counter(stored_text) if stored_letters is None else stored_letters
                if index not in letters:
                    letters[index] = Counter(text)
                if ratio_of(shared_letters(letters[index], stored_letters), total) < SIMILAR:
                    continue
                if ratio_of(common_subsequence(text, stored_text), total) < SIMILAR:
                    continue
            if matcher is None:
                matcher = SequenceMatcher(None, "", stored_text, autojunk=False)
            matcher.set_seq1(texts[index])
            ratio = matcher.ratio()
            if same_ref or ratio >= SIMILAR:
                scored.append((ratio, same_ref, index, position, action))
    scored.sort(key=lambda item: (-item[0], not item[1], item[2], item[3]))
    for _score, same_ref, index, _position, action in scored:
        if index in chosen or action.id in used:
            continue
        if same_ref:
            take(index, action)
            continue
        question = Question(reads[index].display_ref, action.display_ref, reads[index].what, action.what)
        question.answer = answers.get(question.key)
        result.questions.append(question)
        if question.answer:
            take(index, action)
