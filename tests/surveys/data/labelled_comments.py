"""Comments council staff might write about AI at work, each labelled by hand with its themes (slugs of
surveys.sentiment.THEMES) and its sentiment, to measure how far the word lists agree with a reader.

Labelled as a reader in HR would file them, before and independently of what the lexicon matches:
- themes: what the comment is about (every theme that clearly applies; none for a comment about nothing
  in particular);
- sentiment: the writer's tone about AI at work. A worry stated flatly ("Job security. People are talking
  about it in the depot.") is Negative; a plain fact or question with no feeling either way is Neutral;
  a mixed comment takes the side it ends on or stresses.

The first block (LABELLED) was written before the lexicon was tuned and was used to tune it, so its
figures are optimistic. HELD_OUT was written after tuning and never used to change the lexicon: its
figures are the honest ones.
"""

POS, NEU, NEG = "Positive", "Neutral", "Negative"

LABELLED = [
    # Job security
    ("Job security. People are talking about it in the depot.", {"job-security"}, NEG),
    ("Worried about job security if the council sees this as a way to cut posts.", {"job-security"}, NEG),
    ("Is this the start of replacing us? Nobody will say.", {"job-security", "leadership"}, NEG),
    ("I'm scared that in two years my role won't exist.", {"job-security"}, NEG),
    ("With all the cuts, I can't see it being anything other than a way to lose staff.", {"job-security"}, NEG),
    ("If it takes the boring bits and I keep my job, fine by me.", {"job-security", "workload"}, POS),
    ("My manager was clear that nobody's post is at risk, which helped a lot.", {"job-security", "leadership"}, POS),
    ("Will there be redundancies in the contact centre?", {"job-security"}, NEG),
    ("There are rumours in Revenues that it will replace half the team.", {"job-security", "leadership"}, NEG),
    # Workload and time
    ("It could save me an hour a day on minutes and letters.", {"workload"}, POS),
    ("Training time is the problem. We are already stretched and there is no cover.", {"training", "workload"}, NEG),
    ("Worried it will be another system that adds work rather than saving it.", {"workload", "tools-access"}, NEG),
    ("Hoping it means less time on forms and more time out on the rounds.", {"workload"}, POS),
    ("Drafting letters is slow. A tool that gives a first draft I can check would save hours.", {"workload", "trust-accuracy"}, POS),
    ("We are understaffed as it is, I have no time to play with new tools.", {"workload"}, NEG),
    ("Summarising long case notes before a meeting would really help.", {"workload", "data-privacy"}, POS),
    ("The backlog in planning is huge, anything that speeds up validation is welcome.", {"workload"}, POS),
    ("Copying and pasting between three systems is most of my day.", {"workload", "tools-access"}, NEG),
    # Training and skills
    ("I would like proper training time, not just a video to watch at lunch.", {"training", "workload"}, NEG),
    ("The e-learning module was clear and short. More like that please.", {"training"}, POS),
    ("I want to learn it properly so I can help the rest of the team.", {"training"}, POS),
    ("Half of us have never been shown how to use Copilot.", {"training", "tools-access"}, NEG),
    ("I don't feel confident using it yet.", {"training"}, NEG),
    ("The workshop in October was really useful, thank you.", {"training"}, POS),
    ("Can the training be in person? Not everyone learns well from a screen.", {"training", "fairness"}, NEU),
    ("Staff on the front line need training on paid time, not in their own time.", {"training", "workload", "fairness"}, NEG),
    # Trust and accuracy
    ("I worry it will get things wrong and we will get the blame.", {"trust-accuracy"}, NEG),
    ("It made up a policy that doesn't exist when I tested it.", {"trust-accuracy"}, NEG),
    ("As long as someone checks what it writes, I think it will be fine.", {"trust-accuracy", "human-decisions"}, POS),
    ("I don't trust it with anything about vulnerable adults.", {"trust-accuracy", "residents"}, NEG),
    ("The answers I have had were accurate and saved me time.", {"trust-accuracy", "workload"}, POS),
    ("How do we know the answers are correct?", {"trust-accuracy"}, NEU),
    ("It sounds very confident even when it is talking nonsense.", {"trust-accuracy"}, NEG),
    # Data and privacy
    ("Nobody has explained what happens to the data we put in.", {"data-privacy", "leadership"}, NEG),
    ("Worried about data protection and residents' personal data.", {"data-privacy", "residents"}, NEG),
    ("Can we put case notes into it or is that against GDPR?", {"data-privacy"}, NEU),
    ("Good to hear the data stays in the UK and is not used to train the model.", {"data-privacy"}, POS),
    ("Some colleagues are already pasting confidential information into free tools.", {"data-privacy"}, NEG),
    ("We hold a lot of sensitive records about children.", {"data-privacy", "residents"}, NEU),
    # Fairness
    ("Concerned about fairness. Will it treat everyone the same?", {"fairness"}, NEG),
    ("Some of our residents are not online at all and I do not want them left behind.", {"fairness", "residents"}, NEG),
    ("It could help colleagues with dyslexia write with more confidence.", {"fairness", "training"}, POS),
    ("Translation for residents who do not speak English could be really useful.", {"fairness", "residents"}, POS),
    ("Office staff get all the new kit and the depot gets nothing, again.", {"fairness", "tools-access"}, NEG),
    ("I'd want to know it isn't biased against people with accents when it transcribes calls.", {"fairness"}, NEG),
    # Leadership and communication
    ("Senior managers talk about AI but nobody has told us what it is for.", {"leadership"}, NEG),
    ("The director's briefing was honest about what it can and can't do.", {"leadership"}, POS),
    ("We should have been consulted before the pilot started.", {"leadership"}, NEG),
    ("Please keep us updated, even when there is nothing new.", {"leadership"}, NEU),
    ("I want to help shape how it is used in my team.", {"leadership"}, POS),
    ("The unions should be involved from the start.", {"leadership", "job-security"}, NEU),
    # Tools and access
    ("We have not got the laptops for this on the frontline, most of us use a shared tablet.", {"tools-access"}, NEG),
    ("No signal in half the places we work, so an app is no use to us.", {"tools-access"}, NEG),
    ("Copilot in Outlook is brilliant for summarising long email chains.", {"tools-access", "workload"}, POS),
    ("I don't have a licence yet. When will the rest of us get access?", {"tools-access"}, NEU),
    ("The IT is so slow already, I can't see another system helping.", {"tools-access"}, NEG),
    # Residents and services
    ("If it helps us answer council tax queries faster that would be great for everyone.", {"residents", "workload"}, POS),
    ("Plain English versions of our letters would help a lot of residents.", {"residents"}, POS),
    ("Tenants want to speak to a person, not a chatbot.", {"residents", "human-decisions"}, NEG),
    ("Could help us spot repairs that keep coming back on the same estates.", {"residents"}, POS),
    ("I hope it takes some of the copying and pasting off our hands so we can spend more time with residents.", {"workload", "residents"}, POS),
    # People making decisions
    ("A person must always make the final decision on care packages.", {"human-decisions", "residents"}, NEU),
    ("I'm fine with it drafting things but not deciding anything about people's lives.", {"human-decisions"}, NEG),
    ("Good that a human signs off every decision, that reassures me.", {"human-decisions"}, POS),
    ("Who is accountable when the computer says no?", {"human-decisions", "trust-accuracy"}, NEG),
    # No particular theme
    ("Not sure yet.", set(), NEU),
    ("No comment.", set(), NEU),
    ("Really excited to see where this goes!", set(), POS),
    ("I use it at home for recipes, it's great.", set(), POS),
    ("Just another fad, it'll be gone in a year.", set(), NEG),
]

HELD_OUT = [
    ("The word on the bins is that the robots are coming for our jobs.", {"job-security"}, NEG),
    ("Nobody in our team thinks their job is safe any more.", {"job-security"}, NEG),
    ("If it means fewer agency staff and less overtime, good.", {"workload"}, POS),
    ("I spend Fridays on returns. Anything that shortens that gets my vote.", {"workload"}, POS),
    ("Another thing to fit in when we are already flat out.", {"workload"}, NEG),
    ("Short sessions in team meetings would work better than a whole day course.", {"training", "workload"}, NEU),
    ("I have done the module and I still don't really get it.", {"training"}, NEG),
    ("The drop-in sessions in the library were great.", {"training"}, POS),
    ("It told a colleague the wrong bin day for a whole street.", {"trust-accuracy", "residents"}, NEG),
    ("I always double check anything it writes before it goes out.", {"trust-accuracy"}, NEU),
    ("Where does the information go once we type it in?", {"data-privacy"}, NEU),
    ("I'd be worried about a data breach with children's records.", {"data-privacy", "residents"}, NEG),
    ("Part-time staff are never offered these courses at times they can make.", {"fairness", "training"}, NEG),
    ("It could make our forms easier for people with learning disabilities.", {"fairness", "residents", "workload"}, POS),
    ("The chief executive's email about AI was clear and reassuring.", {"leadership"}, POS),
    ("Managers need to explain this better, most of us are in the dark.", {"leadership"}, NEG),
    ("Our tablets are six years old and barely open email.", {"tools-access"}, NEG),
    ("Getting Copilot on my laptop last month has changed how I write reports.", {"tools-access"}, POS),
    ("Callers get frustrated enough with the phone menu, an AI voice would make it worse.", {"residents"}, NEG),
    ("Social workers, not software, should decide what support a family gets.", {"human-decisions", "residents"}, NEG),
    ("Happy to give it a go.", set(), POS),
    # Written after the last change to the lexicon, labelled before it was run on them.
    ("They said the same about the new phone system and we lost two posts.", {"job-security", "tools-access"}, NEG),
    ("If AI can do my job then what is my job?", {"job-security"}, NEG),
    ("Rotas take me most of Monday. I'd love help with that.", {"workload"}, POS),
    ("We can't even get the printers working, let alone AI.", {"tools-access"}, NEG),
    ("The pilot in Benefits cut the time to process a claim, which was impressive.", {"workload"}, POS),
    ("Would like a named person to ask when I get stuck.", {"training"}, NEU),
    ("My team leader uses it every day and shows us tips in the huddle.", {"training", "leadership"}, POS),
    ("There's been no communication at all about this from senior leadership.", {"leadership"}, NEG),
    ("It summarised a forty page report for me in seconds and it was spot on.", {"workload", "trust-accuracy"}, POS),
    ("I checked its answer on a housing law question and it was out of date.", {"trust-accuracy"}, NEG),
    ("Who sees what I type into it? Is it monitored?", {"data-privacy"}, NEU),
    ("I'm not comfortable with it reading residents' emails.", {"data-privacy", "residents"}, NEG),
    ("Older colleagues may struggle and feel left out.", {"fairness"}, NEG),
    ("It helped me write a letter in Polish for a family on the estate.", {"fairness", "residents"}, POS),
    ("Decisions about benefits must be made by trained officers.", {"human-decisions", "training"}, NEU),
    ("Residents deserve to know when a letter was written with AI.", {"residents", "leadership"}, NEU),
    ("I've heard some councils have used it to cut staff, I hope we won't.", {"job-security"}, NEG),
    ("Frontline staff should get the same access as office staff.", {"fairness", "tools-access"}, NEU),
    ("Honestly I find the whole thing a bit frightening.", set(), NEG),
    ("Looking forward to it.", set(), POS),
]
