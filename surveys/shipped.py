"""The survey templates Tandem ships with. An HR or adoption lead copies one into a `Survey` (its key
goes in `Survey.template_key`) and can then edit the copy; these templates themselves never change
under a council's feet.

Plain data, no Django imports, so it can be loaded and checked on its own. Each template is a dict:
key, title, introduction (shown on the first page), mode ("anonymous" or "named"), minutes, and
sections, each with a title and questions. A question has text, type (agree5, scale10, single,
multiple, text), required, dimension (or ""), help_text (or "") and, for single and multiple only,
choices as [{"id": "a", "text": "..."}, ...] whose ids never change once shipped.

Rules the wording follows, because the scoring and the anonymity promise rest on them:

- Every agree5 item tagged with a dimension is a single, positive statement, so that more agreement
  always means more ready: dimension scores are the mean agreement of the items tagged with them. A
  worry phrased so that agreeing is worse is either turned round or left without a dimension.
- The readiness pulse tags its items with the five elements of the ADKAR model (Prosci): awareness,
  desire, knowledge, ability and reinforcement, at least two items each, asked in that order.
- In anonymous templates every question except free text is required, so that figures cannot be
  told apart by subtracting across questions some people skipped.
- Introductions do not mention anonymity: the product adds its own statement from the wave's mode.
  Every free-text question asks people to leave out names and identifying details (in named
  templates, other people's, since asking people not to identify themselves would suggest anonymity).
- Plain UK English for a reading age of about 12, written for all staff, frontline included.
"""

_NO_NAMES = "Please do not include names or anything that could identify you or someone else."
# In a named survey the person answering is already known, so asking them not to identify themselves
# would wrongly suggest their answers are anonymous.
_NO_NAMES_NAMED = "Please do not include other people's names or anything that could identify them."


def comment_hint_for(mode: str, help_text: str) -> str:
    """A free-text question's hint for a survey of the given mode: the templates' "leave out names" hint
    differs between anonymous and named surveys, so a copy made in the other mode gets the other one."""
    swap = {"anonymous": {_NO_NAMES_NAMED: _NO_NAMES}, "named": {_NO_NAMES: _NO_NAMES_NAMED}}
    return swap.get(mode, {}).get(help_text, help_text)


def _agree(text, dimension="", help_text="", required=True):
    return {"text": text, "type": "agree5", "required": required, "dimension": dimension, "help_text": help_text}


def _scale(text, help_text, required=True):
    return {"text": text, "type": "scale10", "required": required, "dimension": "", "help_text": help_text}


def _choice(type_, text, options, help_text="", required=True):
    return {
        "text": text,
        "type": type_,
        "required": required,
        "dimension": "",
        "help_text": help_text,
        "choices": [{"id": chr(ord("a") + i), "text": option} for i, option in enumerate(options)],
    }


def _comment(text, help_text=_NO_NAMES):
    return {"text": text, "type": "text", "required": False, "dimension": "", "help_text": help_text}


AI_READINESS_PULSE = {
    "key": "ai-readiness-pulse",
    "title": "AI readiness pulse",
    "introduction": (
        "This short survey asks how ready you feel for the council's use of AI (artificial intelligence). "
        "By AI tools we mean computer programs that can, for example, draft a letter, sum up a long "
        "document or answer questions.\n\n"
        "There are no right or wrong answers, and you do not need to know anything about AI to take part. "
        "What you tell us helps the council plan the training and support staff need."
    ),
    "mode": "anonymous",
    "minutes": 3,
    "sections": [
        {
            "title": "About the change",
            "questions": [
                _agree("I understand why the council is starting to use AI.", "awareness"),
                _agree("I know what the council plans to use AI for in my area of work.", "awareness"),
                _agree("I want to use AI tools where they could help me in my job.", "desire"),
                _agree("I am willing to try AI tools in my work.", "desire"),
                _agree("I want to help shape how AI is used in my team.", "desire"),
            ],
        },
        {
            "title": "Using AI in your work",
            "questions": [
                _agree(
                    "I know what information I must not put into an AI tool.",
                    "knowledge",
                    "For example, personal details about residents or colleagues.",
                ),
                _agree("I know how to check an answer from an AI tool before I use it.", "knowledge"),
                _agree("I have access to AI tools at work.", "ability"),
                _agree("I am able to use AI tools to help with everyday tasks in my job.", "ability"),
                _agree("I have enough time at work to practise using AI tools.", "ability"),
            ],
        },
        {
            "title": "Support and anything else",
            "questions": [
                _agree("My manager encourages our team to use AI where it helps.", "reinforcement"),
                _agree("Good use of AI is recognised in my team.", "reinforcement"),
                _comment("What one thing would help you most with using AI in your work?"),
            ],
        },
    ],
}

AI_SENTIMENT = {
    "key": "ai-sentiment",
    "title": "How do you feel about AI at work?",
    "introduction": (
        "The council is starting to use AI (artificial intelligence) tools. These are computer programs "
        "that can, for example, draft a letter, sum up a long document or answer questions.\n\n"
        "We want to hear what you hope for and what worries you, whether or not you have used AI before. "
        "There are no right or wrong answers. What you tell us helps the council decide how to bring in "
        "AI and how to support staff."
    ),
    "mode": "anonymous",
    "minutes": 5,
    "sections": [
        {
            "title": "Using AI now",
            "questions": [
                _choice(
                    "single",
                    "How often do you use AI tools in your work at the moment?",
                    [
                        "Every day or most days",
                        "At least once a week",
                        "At least once a month",
                        "Less than once a month",
                        "Never",
                        "I'm not sure",
                    ],
                    "Choose the answer closest to what you do now.",
                ),
            ],
        },
        {
            "title": "How you feel",
            "questions": [
                _agree("I feel confident trying AI tools in my work.", "confidence"),
                _agree("I feel confident I could tell when an AI tool has got something wrong.", "confidence"),
                _agree("I trust the council to use AI fairly.", "trust"),
                _agree("I trust the council to keep personal data safe when it uses AI.", "trust"),
                _agree("I trust that people, not AI, will make the final decisions that affect residents.", "trust"),
                _agree("I would feel comfortable raising a concern about how AI is used at work.", "trust"),
                _agree("I think AI could save me time on routine tasks.", "workload"),
                _agree("I expect to have time in my working hours to learn about AI.", "workload"),
            ],
        },
        {
            "title": "Worries",
            "questions": [
                _choice(
                    "multiple",
                    "Which of these worry you, if any?",
                    [
                        "My job security",
                        "Losing skills I have now",
                        "Mistakes made by AI",
                        "Residents being treated unfairly",
                        "Privacy of personal data",
                        "Extra work for me",
                        "None of these",
                    ],
                    "Choose all that apply. You can tell us about other worries at the end.",
                ),
            ],
        },
        {
            "title": "The AI training",
            "questions": [
                _choice(
                    "single",
                    "How useful has the council's AI training been for your work so far?",
                    [
                        "Very useful",
                        "Quite useful",
                        "Not very useful",
                        "Not useful at all",
                        "I have not done any of the training yet",
                    ],
                    "Think about any of the council's AI training you have done, such as online modules.",
                ),
            ],
        },
        {
            "title": "In your own words",
            "questions": [
                _comment("What, if anything, do you hope AI could do for you or your team?"),
                _comment("What, if anything, worries you most about AI at work?"),
            ],
        },
    ],
}

MODULE_FEEDBACK = {
    "key": "module-feedback",
    "title": "Module feedback",
    "introduction": (
        "Thank you for finishing this module. Please tell us what you thought of it, so we can make it "
        "better for you and your colleagues."
    ),
    "mode": "named",
    "minutes": 1,
    "sections": [
        {
            "title": "About this module",
            "questions": [
                _agree("The module was easy to understand."),
                _agree("What I learned in this module will be useful in my job."),
                _choice("single", "Was the module too short, too long or about right?",
                        ["Too short", "About right", "Too long"]),
                _scale("Overall, how would you rate this module?", "0 means very poor and 10 means excellent."),
                _comment("How could we make this module better?", _NO_NAMES_NAMED),
            ],
        },
    ],
}

TEMPLATES = [AI_READINESS_PULSE, AI_SENTIMENT, MODULE_FEEDBACK]
