"""The conversation of one voice session as a state machine: ``step(state, event)``.

Greeting and the partner's news (offered, played, answered), tonight's prompt, the reply,
read-back / share / keep private / delete (confirmed), a follow-up, a goal check-in, the
progress so far and good night. Every listening point understands the commands of
voice.commands (repeat, pause, slower, help, I'm done, …) and the crisis words. Nothing here
touches a database, a file or a sound card: it returns effects (voice.dialog_events) for a
runner to carry out, so each path of the conversation is a unit test over a list of events.

The spoken home and looking back live in voice.dialog_home; the rest of the journal (one
``Act`` per operation, asked about first when it changes data) in voice.dialog_manage.

A new intent: held-out phrasings first (tests/unit/data/intent_phrasings.yaml), then its templates
in voice/data/intents.yaml (a short command: voice.commands) and any slot's values in voice.intents,
its sentences in voice.phrases.P, a branch in voice.dialog_states.anywhere (the same everywhere),
voice.dialog_home or voice.dialog_manage (an ``Op``, carried out in voice.runner_acts), its event
sequence in tests/unit/test_dialog*.py, its row and text-mode test in docs/VOICE.md.
"""

from __future__ import annotations

from dataclasses import replace

from confide.prompts.safety import is_crisis
from confide.voice import dialog_home, dialog_manage
from confide.voice.commands import Command, recognise, strip_closing
from confide.voice.commands import Heard as Recognised
from confide.voice.dialog_events import (
    Began,
    CheckIn,
    ChoosePrompt,
    Delete,
    Discard,
    Done,
    Effect,
    Event,
    File,
    GoalItem,
    Heard,
    Listen,
    ListenMode,
    Looked,
    MarkNewsSeen,
    MarkRead,
    Play,
    PromptChosen,
    ReplyRecorded,
    Saved,
    Say,
    SayNotices,
    SayText,
    Share,
    Shared,
    Timeout,
)
from confide.voice.dialog_states import (
    AFTER_SAVE_TRIES,
    FILING,
    HOME_YES_NO,
    RATING_TRIES,
    RECORDING,
    SHORT_COMMANDS,
    YES_NO_AT,
    YES_NO_TRIES,
    At,
    State,
    Step,
    anywhere,
    ask,
    close,
    in_other_words,
    pause,
    record,
    safety,
)
from confide.voice.phrases import P, count_words, greeting_key, number_word

__all__ = ["At", "State", "play_news", "reply_outcome", "step"]


def step(state: State, event: Event) -> Step:
    """The next state and what to do, given what just happened."""
    if state.at is At.ENDED:
        return state, []
    new, effects = _dispatch(state, event)
    for effect in effects:
        if isinstance(effect, Say | SayText) and effect.remember:
            new = replace(new, last_said=effect)
    return new, effects


def _dispatch(state: State, event: Event) -> Step:
    if isinstance(event, Began):
        return _begin(state, event)
    if isinstance(event, Heard | Timeout):
        return _heard(state, event.text if isinstance(event, Heard) else "")
    if isinstance(event, ReplyRecorded) and state.at in RECORDING:
        return _recorded(state, event)
    if isinstance(event, Saved) and state.at in FILING:
        state = replace(state, saved=event)
        if is_crisis(state.reply_text):
            return pause(state, [safety(state)], then="after_saved")
        return _after_saved(state, [])
    if isinstance(event, PromptChosen) and state.at is At.PROMPT:
        return (replace(state, at=At.REPLY_RECORD, prompt=event),
                [Say(P.MUTUAL_INTRO if event.mutual else P.PROMPT_INTRO,
                     {"partner": state.session.partner or ""}, remember=False),
                 SayText(event.spoken),
                 record(state, prompt_id=event.prompt_id, prompt_text=event.text,
                        mutual=event.mutual)])
    if isinstance(event, Shared) and state.at is At.SHARING:
        said = (Say(P.NO_PARTNER) if event.partner is None
                else Say(P.SHARED, {"partner": event.partner}))
        return _after_offers(state, [said])
    if isinstance(event, Shared) and state.at is At.LIST_SHARING:
        return dialog_home.shared(state, event)
    if isinstance(event, Looked) and state.at is At.LOOKING:
        return dialog_home.looked(state, event)
    if isinstance(event, Done) and state.at is At.CHANGING:
        return dialog_home.changed(state, event)
    return state, []


# -- the parts of a session ---------------------------------------------------------------
def _begin(state: State, began: Began) -> Step:
    state = replace(state, session=began, voice=began.voice)
    effects: list[Effect] = [Say(greeting_key(began.local_hour), {"name": began.name})]
    if began.news and began.partner and not began.unlocked:
        effects.append(Say(P.LOCKED_NEWS, {"partner": began.partner,
                                           "count": count_words(len(began.news), "reflection")}))
        return _after_news(state, effects, mark_seen=False)
    if began.news and began.partner:
        since = (P.NEWS_SINCE.format(day=began.news_since) if began.news_since else "")
        if len(began.news) == 1:
            offer = Say(P.NEWS_OFFER_ONE, {"partner": began.partner, "since": since})
        else:
            offer = Say(P.NEWS_OFFER_MANY, {"partner": began.partner, "since": since,
                                            "count": count_words(len(began.news),
                                                                 "reflection")})
        return ask(state, At.NEWS_OFFER, effects, offer)
    return _after_news(state, effects, mark_seen=False)


def _after_news(state: State, effects: list[Effect], *, mark_seen: bool) -> Step:
    if mark_seen:
        effects.append(MarkNewsSeen())
    if state.session.home:
        return dialog_home.home(state, effects)
    effects += [SayNotices(), ChoosePrompt(state.skipped)]
    return replace(state, at=At.PROMPT), effects


def play_news(state: State, index: int, effects: list[Effect]) -> Step:
    """The partner's news from ``index`` on (asked for at the home, or offered)."""
    return _play(state, index, effects)


def _play(state: State, index: int, effects: list[Effect]) -> Step:
    news = state.session.news
    if index >= len(news):
        return _after_news(state, effects, mark_seen=True)
    item = news[index]
    partner = state.session.partner or ""
    effects.append(Say(P.PLAYING, {"partner": partner, "when": item.weekday}))
    if item.prompt_text:
        effects.append(Say(P.PLAYING_PROMPT, {"prompt": item.prompt_text}))
    effects += [Play(item.entry_id), MarkRead(item.entry_id)]
    return ask(replace(state, news_index=index), At.ANSWER_OFFER, effects,
                Say(P.ANSWER_OFFER, {"partner": partner}))


def reply_outcome(heard: str, no_speech: bool = False) -> tuple[str, Command | None, bool]:
    """A recorded reply's transcript as it will be filed, the command said instead of a
    reply, and whether there is a reply to file at all (the closing phrase never is one)."""
    text, closed = strip_closing(heard)
    if no_speech or not text.strip():
        return "", Command.STOP if closed else None, False
    command = recognise(text).command if len(text.split()) <= 5 else None
    if command in SHORT_COMMANDS:
        return "", command, False
    return text, None, True


def _recorded(state: State, recorded: ReplyRecorded) -> Step:
    """A reply, nothing, or a command said instead of a reply."""
    text, command, filed = reply_outcome(recorded.text, recorded.no_speech)
    if filed:
        filing = {At.ANSWER_RECORD: At.ANSWER_FILING, At.REPLY_RECORD: At.REPLY_FILING,
                  At.FOLLOW_UP_RECORD: At.FOLLOW_UP_FILING, At.FREE_RECORD: At.FREE_FILING,
                  At.LIST_ANSWER_RECORD: At.LIST_ANSWER_FILING}[state.at]
        return replace(state, at=filing, reply_text=text), [File(text)]
    effects: list[Effect] = [Discard()]
    if command is None:
        effects.append(Say(P.NO_SPEECH))
    if state.at is At.ANSWER_RECORD:  # an answer to the partner: anything else goes on
        return _play(state, state.news_index + 1, effects)
    if state.at in (At.FREE_RECORD, At.LIST_ANSWER_RECORD):
        return dialog_home.not_recorded(state, effects, command)
    if command is Command.STOP:
        return close(state, effects)
    if state.at is At.FOLLOW_UP_RECORD:
        return _goals(state, effects)
    if command is None:  # nothing said: tonight's prompt is left for another time
        return _goals(state, effects)
    if command is Command.SKIP and state.prompt is not None:
        state = replace(state, skipped=(*state.skipped, state.prompt.prompt_id))
    else:
        handled = anywhere(replace(state, then="choose_prompt"), "", Recognised(command),
                            effects)
        if handled is not None and handled[0].at in (At.PAUSED, At.ENDED):
            return handled
        if handled is not None:
            state, effects = handled
    return replace(state, at=At.PROMPT), [*effects, ChoosePrompt(state.skipped)]


def _after_saved(state: State, effects: list[Effect]) -> Step:
    saved = state.saved
    assert saved is not None
    if state.at is At.ANSWER_FILING:
        effects.append(Say(P.RESPONSE_SAVED, {"partner": state.session.partner or ""}))
        return _play(state, state.news_index + 1, effects)
    if state.at is At.LIST_ANSWER_FILING:
        return dialog_home.saved(state)
    if state.prompt is not None and state.prompt.mutual:
        return dialog_home.end_or_home(state, [*effects, dialog_manage.mutual_saved(state)])
    words = f"{saved.words} {'word' if saved.words == 1 else 'words'}"
    effects += [Say(P.SAVED_PRIVATE, {"words": words}), Say(P.AFTER_SAVE),
                Listen(ListenMode.SHORT)]
    return replace(state, at=At.AFTER_SAVE, tries=0,
                   following_up=state.at is At.FOLLOW_UP_FILING), effects


def _after_save_heard(state: State, text: str, heard: Recognised) -> Step:
    saved = state.saved
    assert saved is not None
    cmd = heard.command
    effects: list[Effect] = []
    if cmd is Command.READ_BACK:
        effects.append(SayText(saved.text) if saved.text else Say(P.READ_BACK_EMPTY))
    elif cmd is Command.SHARE:
        return replace(state, at=At.SHARING), [Share(saved.id)]
    elif cmd is Command.KEEP_PRIVATE:
        return _after_offers(state, [Say(P.KEPT_PRIVATE)])
    elif cmd is Command.DELETE:
        return ask(state, At.CONFIRM_DELETE, [], Say(P.CONFIRM_DELETE))
    elif cmd in (Command.SKIP, Command.NO) or not text:
        return _after_offers(state, [])
    else:
        handled = anywhere(replace(state, then="next_try"), text, heard, effects)
        if handled is None:
            effects.append(Say(P.NOT_UNDERSTOOD, remember=False))
        elif handled[0].at in (At.PAUSED, At.ENDED):
            return handled
        else:
            state, effects = handled
    return _after_save_again(state, effects)


def _after_save_again(state: State, effects: list[Effect]) -> Step:
    effects.append(Say(P.AFTER_SAVE))
    state = replace(state, at=At.AFTER_SAVE, tries=state.tries + 1)
    if state.tries < AFTER_SAVE_TRIES:
        return state, [*effects, Listen(ListenMode.SHORT)]
    return _after_offers(state, effects)


def _after_offers(state: State, effects: list[Effect]) -> Step:
    """After read-back / share / keep / delete: a follow-up to tonight's prompt, once."""
    if state.from_home:  # a free entry: the home asks what next
        return dialog_home.home(state, effects)
    follow_up = state.prompt.follow_up if state.prompt is not None else None
    if state.following_up or follow_up is None:
        return _goals(state, effects)
    return ask(state, At.FOLLOW_UP_OFFER, effects, Say(P.FOLLOW_UP_OFFER))


def _goals(state: State, effects: list[Effect]) -> Step:
    goal = _goal(state)
    if goal is None or state.rating is not None:  # one check-in a session
        return dialog_home.end_or_home(state, effects)
    effects += [Say(P.GOAL_CHECKIN, {"goal": goal.title}), Listen(ListenMode.RATING)]
    return replace(state, at=At.RATING, tries=0), effects


def _goal(state: State) -> GoalItem | None:
    """One active goal a session."""
    return state.session.goals[0] if state.session.goals else None


def _checked_in(state: State, note: str) -> Step:
    goal, rating = _goal(state), state.rating
    assert goal is not None and rating is not None
    return dialog_home.end_or_home(state, [CheckIn(goal.goal_id, rating, note),
                                           Say(P.GOAL_SAVED, {"rating": number_word(rating)})])


# -- listening points ----------------------------------------------------------------------
def _heard(state: State, text: str) -> Step:
    if state.at in dialog_home.HOME_AT:
        return dialog_home.heard(state, text)
    heard = recognise(text)
    if heard.command is None and text:
        heard = in_other_words(text)
    if state.at is At.PAUSED:
        if heard.command in (Command.RESUME, Command.YES):
            return _resume(state)
        if heard.command is Command.STOP:
            return close(state, [])
        return state, [Listen(ListenMode.RESUME, timeout_s=300.0)]
    if state.at is At.GOAL_NOTE:
        return _checked_in(state, text)
    if state.at is At.AFTER_SAVE:
        return _after_save_heard(state, text, heard)
    if state.at is At.RATING:
        if heard.command is Command.NUMBER and heard.number is not None:
            return ask(replace(state, rating=heard.number), At.GOAL_NOTE_OFFER, [],
                        Say(P.GOAL_REFLECT))
        if heard.command in (Command.SKIP, Command.NO) or not text:
            return dialog_home.end_or_home(state, [])
        return _not_an_answer(state, text, heard, Say(P.RATING_AGAIN, remember=False))
    if state.at in YES_NO_AT:
        if heard.command is Command.YES:
            return _answered(state, True)
        if heard.command in (Command.NO, Command.SKIP, Command.LATER):
            return _answered(state, False)
        if not text:
            return _answered(state, None)
        return _not_an_answer(state, text, heard, Say(P.YES_NO, remember=False))
    return state, []


def _not_an_answer(state: State, text: str, heard: Recognised, again: Say) -> Step:
    handled = anywhere(replace(state, then="next_try"), text, heard, [])
    if handled is None:
        return _next_try(state, [again])
    if handled[0].at in (At.PAUSED, At.ENDED):
        return handled
    return _next_try(*handled)


def _next_try(state: State, effects: list[Effect]) -> Step:
    if state.at is At.AFTER_SAVE:
        return _after_save_again(state, effects)
    if state.at in dialog_home.HOME_AT:
        return state, [*effects, Listen(ListenMode.HOME)]
    state = replace(state, tries=state.tries + 1)
    if state.at is At.RATING:
        if state.tries < RATING_TRIES:
            return state, [*effects, Listen(ListenMode.RATING)]
        return close(state, effects)
    if state.tries < YES_NO_TRIES:
        return state, [*effects, Listen(ListenMode.YES_NO)]
    return _answered(state, None, effects)


def _answered(state: State, answer: bool | None, effects: list[Effect] | None = None) -> Step:
    effects = effects or []
    at = state.at
    if at in HOME_YES_NO:
        return dialog_home.confirmed(state, answer, effects)
    if at is At.NEWS_OFFER:
        return _play(state, 0, effects) if answer else _after_news(state, effects,
                                                                    mark_seen=True)
    if at is At.ANSWER_OFFER:
        if not answer:
            return _play(state, state.news_index + 1, effects)
        item = state.session.news[state.news_index]
        effects += [Say(P.ACTIVE_LISTENING, {"partner": state.session.partner or ""}),
                    record(state, journal="shared", answer_to=item.entry_id)]
        return replace(state, at=At.ANSWER_RECORD), effects
    if at is At.CONFIRM_DELETE:
        saved = state.saved
        assert saved is not None
        if answer:
            return _after_offers(state, [*effects, Delete(saved.id), Say(P.DELETED)])
        return _after_offers(state, [*effects, Say(P.NOT_DELETED)])
    if at is At.FOLLOW_UP_OFFER:
        follow_up = state.prompt.follow_up if state.prompt is not None else None
        if not answer or follow_up is None:
            return _goals(state, effects)
        effects += [SayText(follow_up.spoken),
                    record(state, prompt_id=follow_up.prompt_id, prompt_text=follow_up.text)]
        return replace(state, at=At.FOLLOW_UP_RECORD), effects
    if at is At.GOAL_NOTE_OFFER:
        if answer is False:
            return _checked_in(state, "")
        effects.append(Listen(ListenMode.REPLY, timeout_s=8.0, max_s=60.0))
        return replace(state, at=At.GOAL_NOTE), effects
    return state, effects


def _resume(state: State) -> Step:
    effects: list[Effect] = [Say(P.RESUMED, remember=False)]
    state = replace(state, at=state.resume_at)
    if state.then == "choose_prompt":
        return replace(state, at=At.PROMPT), [*effects, ChoosePrompt(state.skipped)]
    if state.then == "after_saved":
        return _after_saved(state, effects)
    return _next_try(state, effects)
