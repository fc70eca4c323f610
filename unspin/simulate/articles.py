"""Generated news articles with ground truth for tracing: the trace benchmark's archives and
queries, and the tests' (no seed text, no randomness outside the given seeds).

A pool of grammar-built sentence skeletons with name, place and number slots is filled per
event, so many articles on one event share names, numbers and a quote but not wording (the
hard distractors). Queries are spun (`spin`, a word-swap spinner with its own synonym table),
paraphrased (`paraphrase`), partial (`partial`) or related (another article on the event).
The a/an choice here is by first letter (`_np` avoids it with "the"); it is frozen, as
changing it would change the benchmark's archives.
"""
from __future__ import annotations

import json
import random
import re

# ---- vocabulary -----------------------------------------------------------------------------

_POS = {"noun": """officials authorities|police officers|building structure|fire blaze|company firm
deal agreement|plan proposal scheme|people residents|city town|area region district|report statement
problem issue|increase rise|decline drop|meeting session|vote ballot|election poll|court tribunal
lawyer attorney|money funds|price cost|job post|worker employee|children kids|car vehicle|road street
house home|study research|doctor physician|hospital clinic|school academy|leader chief|group team
country nation|law rule|market exchange|storm tempest|rain downpour|damage harm|injury wound
trial hearing|project venture|crowd throng|protest demonstration""",
        "verb": """said stated|announced declared|began started|ended finished|rose climbed|fell dropped
helped assisted|asked requested|showed revealed|found discovered|built constructed|bought purchased
sold traded|died perished|warned cautioned|decided resolved|expected anticipated|planned intended
reported noted|received obtained|needed required|tried attempted|used employed|gave provided
opened launched|closed shut|moved relocated|caused triggered|hit struck|left departed""",
        "adj": """big large|small little|new fresh|old former|important significant|serious grave
quick fast|strong powerful|major key|local regional|early initial|recent latest|huge massive
angry furious|happy pleased|difficult hard|clear obvious|possible potential|public open|final last
main principal""",
        "adv": "quickly rapidly|recently lately|nearly almost|probably likely|finally eventually|clearly plainly"}
_GROUPS = {k: [g.split() for g in v.replace("\n", "|").split("|")] for k, v in _POS.items()}
NOUNS, VERBS, ADJS, ADVS = (_GROUPS[k] for k in ("noun", "verb", "adj", "adv"))
SYN = NOUNS + VERBS + ADJS + ADVS
SYN_OF = {w: g for g in SYN for w in g}
FIRST = ("James Mary Robert Linda Michael Sarah David Karen Daniel Nancy Paul Lisa Mark Helen Steven "
         "Laura Kevin Anna Brian Emma Jason Olivia Eric Grace Adam Chloe Ryan Alice Peter Julia Omar "
         "Priya Chen Yuki Ahmed Fatima Lars Ingrid Pablo Lucia Ivan Nadia Kofi Amara Raj Mei").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
        "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
        "Walker Hall Allen Young King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell "
        "Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris Murphy "
        "Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kim Patel Singh Nakamura Okafor Novak "
        "Kowalski Larsen Berg Rossi Moreau Dubois Schmidt Weber Fischer Ivanova Sato Tanaka").split()
CITIES = ("Springfield Riverton Lakeside Fairview Greenville Bristol Salem Madison Clinton Franklin "
          "Georgetown Arlington Ashland Burlington Dover Hudson Kingston Lexington Milton Newport "
          "Oxford Richmond Auburn Dayton Jackson Marion Chester Winchester Camden Preston Hamilton "
          "Carlisle Durham Ely Halifax Lancaster Norwich Perth Stirling Truro Wells York Aspen Boulder "
          "Cedar Denton Elgin Fresno Gilbert Irvine").split()
ORGS = "Council Bank Group Industries Holdings Authority Institute Partners Union Systems Energy Motors".split()
DET = ["the", "the", "the", "a", "this", "its", "their", "one", "another"]
PREP = ["in", "at", "on", "after", "before", "during", "with", "for", "near", "across", "under", "over"]
CONJ = ["and", "but", "while", "because", "although", "as", "since", "after", "before", "when"]
AUX = ["", "", "", "has ", "had ", "will ", "would ", "could ", "may ", "did not "]
SLOT_NP = ["{P1}", "{P2}", "{P3}", "{C}", "{O}", "the {O}", "{N1} {noun}", "{N2} {noun}"]


def _w(group, rng):
    return rng.choice(group)


def _np(rng, slots=0.25):
    if rng.random() < slots:
        s = rng.choice(SLOT_NP)
        return s.replace("{noun}", _w(rng.choice(NOUNS), rng))
    adj = (_w(rng.choice(ADJS), rng) + " ") if rng.random() < 0.4 else ""
    det = rng.choice(DET)
    if det in ("a", "one", "another") and adj[:1] in "aeiou" and adj:
        det = "the"
    np_ = f"{det} {adj}{_w(rng.choice(NOUNS), rng)}"
    if rng.random() < 0.2:
        np_ += f" of {rng.choice(['{C}', '{O}', 'the ' + _w(rng.choice(NOUNS), rng)])}"
    return np_


def _clause(rng):
    adv = (_w(rng.choice(ADVS), rng) + " ") if rng.random() < 0.2 else ""
    c = f"{_np(rng)} {rng.choice(AUX)}{adv}{_w(rng.choice(VERBS), rng)} {_np(rng)}"
    for _ in range(rng.choice([0, 1, 1, 2])):
        c += f" {rng.choice(PREP)} {_np(rng, 0.35)}"
    return c


def skeleton(rng) -> str:
    r = rng.random()
    if r < 0.15:
        s = f"{rng.choice(['{P1}', '{P2}', '{P3}'])} {_w(SYN_OF['said'], rng)} that {_clause(rng)}"
    elif r < 0.25:
        s = f"{rng.choice(PREP).capitalize()} {_np(rng, 0.4)}, {_clause(rng)}"
    elif r < 0.45:
        s = f"{_clause(rng)} {rng.choice(CONJ)} {_clause(rng)}"
    elif r < 0.55:
        s = f"{_clause(rng)}, {rng.choice(['{P1}', '{P2}', '{O}'])} {_w(SYN_OF['said'], rng)}"
    else:
        s = _clause(rng)
    s = s[0].upper() + s[1:]
    return s + "."


class Generator:
    def __init__(self, seed=7, pool=30000):
        self.rng = random.Random(seed)
        self.pool = [skeleton(self.rng) for _ in range(pool)]

    def event(self):
        r = self.rng
        ppl = [f"{r.choice(FIRST)} {r.choice(LAST)}" for _ in range(3)]
        ev = {"P1": ppl[0], "P2": ppl[1], "P3": ppl[2], "C": r.choice(CITIES),
              "O": f"{r.choice(LAST)} {r.choice(ORGS)}", "N1": str(r.randint(3, 900)),
              "N2": f"{r.randint(1, 99)},{r.randint(100, 999)}", "N3": str(r.randint(1990, 2025))}
        q = self.rng.choice(self.pool).format(**ev).rstrip(".")
        ev["quote"] = f"\u201c{q},\u201d {ev['P1']} said."
        return ev

    def article(self, ev, quote_p=0.7) -> tuple[str, str]:
        r = self.rng
        n = r.randint(22, 30)
        sents = [s.format(**ev) for s in r.sample(self.pool, n)]
        if r.random() < quote_p:
            sents.insert(r.randint(1, n - 1), ev["quote"])
        # first sentence names the event's place and people: as real leads do
        sents[0] = f"{ev['C'].upper()} \u2014 {ev['P1']} of the {ev['O']} {_w(SYN_OF['said'], r)} on " \
                   f"{r.choice(['Monday', 'Tuesday', 'Friday'])} that {sents[0][0].lower()}{sents[0][1:]}"
        paras = [" ".join(sents[i:i + 3]) for i in range(0, len(sents), 3)]
        title = f"{ev['O']} and {ev['P1']}: {r.choice(NOUNS)[0]} in {ev['C']}"
        return title, "\n\n".join(paras)


# ---- query makers ---------------------------------------------------------------------------

WORD_RE = re.compile(r"[A-Za-z]+")
FUNC_SYN = {"because": "since", "about": "around", "after": "following", "near": "close to",
            "while": "whereas", "before": "prior to", "during": "throughout"}


def spin(text: str, rate: float, rng, table=None) -> str:
    """Replace `rate` of the spinnable words with a synonym (built-in groups or `table`)."""
    def sub(m):
        w = m.group()
        low = w.lower()
        if table is not None:
            if low not in table or rng.random() >= rate:
                return w
            rep = table[low]
        elif low in SYN_OF and rng.random() < rate:
            rep = rng.choice([x for x in SYN_OF[low] if x != low])
        elif low in FUNC_SYN and rng.random() < rate / 4:  # real spinners touch a few of these
            rep = FUNC_SYN[low]
        else:
            return w
        return rep[0].upper() + rep[1:] if w[0].isupper() else rep
    return WORD_RE.sub(sub, text)


def private_spinner(seed=99) -> dict[str, str]:
    """A spinner whose choices no thesaurus shares: each word maps to a fixed odd substitute."""
    rng = random.Random(seed)
    words = sorted(SYN_OF)
    odd = ["bigly", "smallish", "newish", "folk", "biz", "grub", "kin", "gizmo", "outfit", "doodad"]
    return {w: rng.choice(odd) + w for w in words}  # one-to-one, unknown to any thesaurus


_SENT = re.compile(r"(?<=[.!?\u201d])\s+(?=[A-Z\u201c])")


def paraphrase(text: str, rng) -> str:
    sents = [s for s in _SENT.split(text.replace("\n\n", " ")) if s]
    out = []
    adjs = {w for g in ADJS + ADVS for w in g}
    for s in sents:
        s = spin(s, 0.4, rng)
        # rewording beyond synonyms: drop modifiers, change determiners
        s = WORD_RE.sub(lambda m: "" if m.group() in adjs and rng.random() < 0.3 else
                      rng.choice(["a", "this", "that"]) if m.group() == "the" and rng.random() < 0.25
                      else m.group(), s).replace("  ", " ")
        m = re.search(r" (in|at|on|after|before|during|near) ([^,.]+)\.$", s)
        if m and rng.random() < 0.4 and not s.startswith("\u201c"):  # front the trailing phrase
            s = f"{m.group(1).capitalize()} {m.group(2)}, {s[0].lower()}{s[1:m.start()]}."
        if ", but " in s and rng.random() < 0.5:  # split
            a, b = s.split(", but ", 1)
            out += [a + ".", "But " + b]
            continue
        out.append(s)
    for i in range(0, len(out) - 1, 2):  # reorder neighbours
        if rng.random() < 0.3:
            out[i], out[i + 1] = out[i + 1], out[i]
    merged: list[str] = []
    for s in out:  # merge some short neighbours
        if merged and rng.random() < 0.15 and merged[-1].endswith(".") and s[:1].isupper():
            merged[-1] = merged[-1][:-1] + "; " + s
        else:
            merged.append(s)
    return " ".join(merged)


def partial(text: str, rng) -> str:
    sents = _SENT.split(text.replace("\n\n", " "))
    k = max(3, len(sents) // 3)
    i = rng.randint(0, len(sents) - k)
    return " ".join(sents[i:i + k])


# ---- corpus ---------------------------------------------------------------------------------

CLUSTERS = 300      # events with many articles each: the hard distractors
PER_CLUSTER = 8


def corpus(gen: Generator, start: int, stop: int, clusters: list[dict]):
    """Documents [start, stop) of one deterministic stream: clusters first, then filler."""
    ncl = len(clusters) * PER_CLUSTER
    for i in range(start, stop):
        gen.rng.seed(1_000_003 * i)  # document i is the same whatever range asked for it
        ev = clusters[i // PER_CLUSTER] if i < ncl else gen.event()
        title, text = gen.article(ev)
        yield {"id": f"doc{i}", "url": f"https://news.example/{i}", "title": title, "text": text}


def write_corpus(path, gen, start, stop, clusters):
    with open(path, "w") as f:
        for d in corpus(gen, start, stop, clusters):
            f.write(json.dumps(d) + "\n")


def make_queries(gen: Generator, clusters, n_per=30, seed=5):
    """(kind, query text, source id or None, event index); sources are cluster articles."""
    rng = random.Random(seed)
    src_gen = Generator.__new__(Generator)
    src_gen.pool, src_gen.rng = gen.pool, random.Random()
    texts = {}
    for d in corpus(gen, 0, len(clusters) * PER_CLUSTER, clusters):
        texts[d["id"]] = d["text"]
    ids = sorted(texts, key=lambda s: int(s[3:]))
    qs = []
    for rate in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        for _ in range(n_per):
            i = rng.choice(ids)
            qs.append((f"spun {int(rate * 100)}%", spin(texts[i], rate, rng), i))
    for _ in range(n_per * 2):
        i = rng.choice(ids)
        qs.append(("paraphrase", paraphrase(texts[i], rng), i))
    for _ in range(n_per * 2):
        i = rng.choice(ids)
        qs.append(("partial", partial(spin(texts[i], 0.2, rng), rng), i))
    for _ in range(n_per * 2):
        c = rng.randrange(len(clusters))
        gen.rng.seed(rng.random())
        qs.append(("related", gen.article(clusters[c])[1], None))
    return qs, texts
