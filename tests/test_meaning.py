"""Meaning-level tracing: sentence alignment by meaning, translated and paraphrased copies
traced as copies with their passages' kinds, a same-topic article by another writer not a copy.

The articles below are invented for these tests (no real story), with translations and a
paraphrase written by hand; a generated archive around them supplies distractors."""
import json

import numpy as np
import pytest

from conftest import generated_archive, run_cli
from unspin.archive import meaning, trace
from unspin.archive.verdict import NEAREST_FOLLOWS, ORDER_FOLLOWS, PARAPHRASE_WEIGHTED

FLOOD = """Heavy rain flooded dozens of homes in the river town of Millbrook on Sunday night, and the county opened two emergency shelters.
The Harlow River rose almost two metres in six hours after a storm stalled over the valley, the county's emergency office said.
Firefighters used boats to reach residents on Mill Street, where water reached the windows of ground-floor flats.
No one was seriously hurt, but an elderly couple was treated for cold after waiting on their roof for more than an hour.
"We have not seen water like this since 1987," said fire chief Elena Marsh, who has worked in Millbrook for thirty years.
The town's only bridge was closed on Monday morning while engineers checked its supports for damage.
Schools will stay shut until Wednesday, and the county asked drivers to avoid the valley road.
Insurers said it was too early to estimate the cost, but local businesses expect losses of several million dollars.
The mayor, Tom Reyes, said the town would ask the state for disaster funds once the water had gone down."""

FLOOD_ES = """Fuertes lluvias inundaron decenas de viviendas en la localidad ribereña de Millbrook el domingo por la noche, y el condado abrió dos refugios de emergencia.
El río Harlow subió casi dos metros en seis horas después de que una tormenta se detuviera sobre el valle, según la oficina de emergencias del condado.
Los bomberos usaron botes para llegar a los vecinos de Mill Street, donde el agua alcanzó las ventanas de los pisos bajos.
Nadie resultó herido de gravedad, pero una pareja de ancianos fue atendida por hipotermia tras esperar en su tejado más de una hora.
"No habíamos visto el agua así desde 1987", dijo la jefa de bomberos Elena Marsh, que lleva treinta años trabajando en Millbrook.
El único puente de la localidad se cerró el lunes por la mañana mientras los ingenieros revisaban sus soportes.
Las escuelas permanecerán cerradas hasta el miércoles, y el condado pidió a los conductores que eviten la carretera del valle.
Las aseguradoras dijeron que es pronto para calcular el coste, pero los comercios locales esperan pérdidas de varios millones de dólares.
El alcalde, Tom Reyes, dijo que la localidad pedirá fondos de catástrofe al estado cuando baje el agua."""

FLOOD_FR = """De fortes pluies ont inondé des dizaines de maisons dans la ville de Millbrook dimanche soir, et le comté a ouvert deux abris d'urgence.
La rivière Harlow est montée de près de deux mètres en six heures après qu'un orage s'est bloqué au-dessus de la vallée, selon le service des urgences du comté.
Les pompiers ont utilisé des bateaux pour atteindre les habitants de Mill Street, où l'eau arrivait aux fenêtres des rez-de-chaussée.
« Nous n'avions pas vu une telle crue depuis 1987 », a déclaré la cheffe des pompiers Elena Marsh.
Le seul pont de la ville a été fermé lundi matin pendant que des ingénieurs vérifiaient ses piliers.
Les écoles resteront fermées jusqu'à mercredi.
Le maire, Tom Reyes, a annoncé que la ville demanderait des fonds d'urgence à l'État une fois l'eau retirée."""

FLOOD_PARAPHRASE = """On Sunday night a downpour left dozens of houses under water in Millbrook, a town on the river, prompting the county to set up two emergency shelters.
According to the county emergency office, the Harlow climbed nearly two metres within six hours once a storm had parked itself above the valley.
Rescuers in boats reached people living on Mill Street, where flood water came up to the windows of ground-floor apartments.
Nobody suffered serious injuries, although an older couple needed treatment for the cold after spending over an hour on their roof.
Fire chief Elena Marsh, a thirty-year veteran in the town, said the water was the highest she had seen since 1987.
Engineers inspected the supports of the town's single bridge on Monday morning, and it stayed closed until they were done.
Classes are cancelled until Wednesday, and drivers were told to stay off the valley road."""

# Same town, same storm, same people and numbers, by another writer with another structure.
FLOOD_OTHER = """Elena Marsh has led the Millbrook fire service for thirty years, and she says the town must finally build a flood wall.
Speaking at a council meeting on Tuesday, Marsh told members that the Harlow River now floods every few years instead of once in a generation.
She recalled the flood of 1987, when she was a young firefighter, and compared it with the storm of this week.
Council members discussed the cost of a wall, which engineers put at twelve million dollars, and whether the state would pay half.
Mayor Tom Reyes said he supported the idea but that residents should be consulted first.
Several shop owners from Mill Street attended the meeting and complained about insurance premiums that have doubled since 2019.
A vote on a feasibility study is planned for next month."""

BUDGET = """The city council of Brantford approved a new budget on Thursday that raises spending on parks and public transport.
The plan adds four bus routes and extends evening service on the two busiest lines until midnight.
Property taxes will rise by 2.5 per cent, less than the 4 per cent the finance department first proposed.
Councillor Ana Lima, who chairs the budget committee, said the compromise protects services without hurting families.
Opponents argued that the city should have cut administrative costs before asking residents for more money.
The budget also funds the repair of three community pools that have been closed since last summer.
Work on the pools is expected to begin in the spring and to finish before the school holidays."""


@pytest.fixture(scope="module")
def arc(tmp_path_factory):
    d = tmp_path_factory.mktemp("meaning")
    db, texts, gen, clusters = generated_archive(d, seed=5, pool=1500, events=8, docs=120)
    from unspin import archive
    for name, text in (("flood", FLOOD), ("budget", BUDGET)):
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    archive.add(db, [str(d / "flood.txt"), str(d / "budget.txt")])
    return {"db": db, "dir": d}


def _top(db, text):
    ms = trace.trace(text, db, record=False)
    assert ms, "no match"
    return ms[0]


@pytest.mark.parametrize("query,kind", [(FLOOD_ES, "translation"), (FLOOD_FR, "translation"),
                                        (FLOOD_PARAPHRASE, "paraphrase")])
def test_translated_and_paraphrased_copies_trace_as_copies(arc, query, kind):
    m = _top(arc["db"], query)
    assert m.id.endswith("flood.txt")
    assert m.relation == "copy"
    assert m.coverage >= 0.7
    assert m.reasons.in_order >= 0.9
    assert kind in {p.kind for p in m.passages}
    for p in m.passages:
        assert p.kind in {"verbatim", "spun", "paraphrase", "translation"}
        assert 0 <= p.query_start < p.query_end <= len(query)
        assert 0 < p.similarity <= 1.0001
    assert ("elena" in m.reasons.names_numbers) and ("1987" in m.reasons.names_numbers)


def test_same_topic_article_by_another_writer_is_not_a_copy(arc):
    ms = trace.trace(FLOOD_OTHER, arc["db"], record=False)
    assert ms and ms[0].id.endswith("flood.txt")
    assert ms[0].relation == "related"
    assert not any(m.relation == "copy" for m in ms)
    assert ms[0].reasons.names_numbers  # it does share the story's names and numbers


def test_unrelated_translation_finds_no_copy(arc):
    other_es = ("El gobierno regional presentó ayer un plan para modernizar los hospitales de la provincia. "
                "La consejera de salud explicó que las obras durarán cuatro años y costarán 300 millones de euros. "
                "Los sindicatos pidieron más personal en lugar de nuevos edificios.")
    assert not any(m.relation == "copy" for m in trace.trace(other_es, arc["db"], record=False))


@pytest.mark.slow
def test_trace_json_and_terminal_show_kinds_and_reasons(arc):
    q = arc["dir"] / "es.txt"
    q.write_text(FLOOD_ES, encoding="utf-8")
    p = run_cli("trace", q, "--db", arc["db"], "--json")
    assert p.returncode == 0, p.stderr_text
    m = json.loads(p.stdout_text)["matches"][0]
    assert m["relation"] == "copy" and m["reasons"]["translation"] is True
    assert {"kind", "similarity"} <= set(m["passages"][0])
    p = run_cli("trace", q, "--db", arc["db"])
    assert p.returncode == 0 and "translation" in p.stdout_text and "source:" in p.stdout_text


def test_report_shows_translation_passages_side_by_side_escaped(arc, tmp_path):
    from unspin.archive.report import report
    hostile = FLOOD_ES.replace("Millbrook el domingo", "Millbrook <script>alert(1)</script> el domingo")
    page = report(hostile, arc["db"], use_lm=False)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Aligned passages" in page and "translation" in page and "Why" in page


def test_bad_input_gives_one_line_error(arc, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    p = run_cli("trace", empty, "--db", arc["db"])
    assert p.returncode == 2 and len(p.stderr_text.strip().splitlines()) == 1
    p = run_cli("trace", tmp_path / "nope.txt", "--db", arc["db"])
    assert p.returncode == 2 and len(p.stderr_text.strip().splitlines()) == 1


# ---- the alignment itself, on hand-made vectors ----------------------------------------------

def _vecs(rows):
    v = np.asarray(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_alignment_is_monotone_with_omissions_and_merges():
    e = np.eye(8)
    src = _vecs(e[:6])                                   # six source sentences
    # query: s0, (s1 split into two halves), s3 (s2 omitted), s4+s5 merged into one
    q = _vecs([e[0], e[1] + 0.2 * e[7], e[1] + 0.2 * e[6], e[3], e[4] + e[5]])
    a = meaning.align(q, src, [10] * 5)
    assert a.coverage == pytest.approx(1.0)
    assert a.in_order == pytest.approx(1.0)
    got = [(p.q, p.s) for p in a.pairs]
    assert ((0, 1), (0, 1)) in got and ((3, 4), (3, 4)) in got
    assert ((4, 5), (4, 6)) in got                        # one query sentence, two source sentences
    assert all(p.in_order for p in a.pairs)


def test_reordered_sentences_count_but_not_as_in_order():
    e = np.eye(6)
    src = _vecs(e[:6])
    q = _vecs([e[5], e[0], e[1], e[2]])                   # the last source sentence moved first
    a = meaning.align(q, src, [10] * 4)
    assert a.coverage == pytest.approx(1.0)
    assert a.in_order == pytest.approx(0.75)


def test_unrelated_sentences_do_not_align():
    rng = np.random.default_rng(0)
    a = meaning.align(_vecs(rng.standard_normal((5, 64))), _vecs(rng.standard_normal((7, 64))), [10] * 5)
    assert a.pairs == [] and a.coverage == 0.0


def test_english_share_tells_translation():
    en = "the mayor said that the town will ask the state for funds".split()
    es = "el alcalde dijo que la localidad pedirá fondos al estado".split()
    assert meaning.is_translation(es, en) and not meaning.is_translation(en, en)


def test_no_vectors_ingest_then_archive_embed_finds_the_translation(tmp_path):
    for name, text in (("flood", FLOOD), ("budget", BUDGET)):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "a.db"
    p = run_cli("archive", "add", "--db", db, "--no-vectors", tmp_path / "flood.txt", tmp_path / "budget.txt")
    assert p.returncode == 0, p.stderr_text
    from unspin import archive
    assert archive.stats(str(db))["vectors"] == 0
    p = run_cli("archive", "embed", "--db", db)
    assert p.returncode == 0 and "embedded 2 documents" in p.stdout_text, p.stderr_text
    assert archive.stats(str(db))["documents_with_vectors"] == 2
    m = trace.trace(FLOOD_FR, str(db), record=False)[0]
    assert m.id.endswith("flood.txt") and m.relation == "copy"


def _meaning_only(similarity: float, query: str, source: str, aligned: int = 3,
                  nearest: float = 0.0, order: float = 0.0):
    """decide() on a query whose first `aligned` sentences are aligned to its source's by
    meaning alone, sentence for sentence, in order, every pair at `similarity`."""
    from unspin.archive import align as al
    from unspin.archive import meaning as mn
    from unspin.archive.fingerprint import entities
    from unspin.archive.verdict import decide
    qs, ss = al.sentences(query), al.sentences(source)
    pairs = [mn.Pair((i, i + 1), (i, i + 1), similarity, True) for i in range(aligned)]
    words = al.Alignment([], 0.0, 0.0)
    qwords = [w for s in qs for w in s.toks]
    return decide(query, qs, qwords, entities(query), source, ss, words,
                  mn.SentenceAlignment(pairs, 1.0, 1.0, nearest, order))


def test_same_language_copy_by_meaning_needs_close_passages_on_average():
    src = ("The council approved the budget on Monday. Taxes will rise by two per cent. "
           "The mayor said the vote was close. Schools receive most of the new money.")
    same = ("On Monday the budget passed the council. A two per cent tax rise follows. "
            "It was a narrow vote, according to the mayor. Most of the extra money goes to schools.")
    # Three sentences of four aligned, in order, all "close": a copy only if the aligned share,
    # weighted by similarity, is high enough.
    assert _meaning_only(0.80, same, src).relation == "copy"
    weak = _meaning_only(0.68, same, src)
    assert weak.coverage > 0.5 and weak.close > 0.5 and weak.in_order == 1.0
    assert weak.weighted < PARAPHRASE_WEIGHTED and weak.relation == "related"
    assert any("weighted by similarity" in w for w in weak.why)
    # A translation reads less similar for the same content: the average bar is not applied.
    es = ("El consejo aprobó el presupuesto el lunes. Los impuestos subirán un dos por ciento. "
          "El alcalde dijo que la votación fue reñida. Las escuelas reciben la mayor parte del dinero.")
    assert _meaning_only(0.68, es, src).relation == "copy"


def test_a_loose_paraphrase_that_follows_its_source_in_order_is_a_copy():
    src = ("The council approved the budget on Monday. Taxes will rise by two per cent. "
           "The mayor said the vote was close. Schools receive most of the new money.")
    same = ("On Monday the budget passed the council. A two per cent tax rise follows. "
            "It was a narrow vote, according to the mayor. Most of the extra money goes to schools.")
    # Too few passages close enough on average, but every sentence near one of the source's,
    # taken in the source's order: a paraphrase that left a sentence unaligned.
    follows = _meaning_only(0.68, same, src, nearest=NEAREST_FOLLOWS + 0.02, order=0.9)
    assert follows.weighted < PARAPHRASE_WEIGHTED and follows.relation == "copy"
    assert any("in the source's order" in w for w in follows.why)
    # The same closeness with the sentences in another order: a story on the same facts.
    assert _meaning_only(0.68, same, src, nearest=NEAREST_FOLLOWS + 0.02,
                         order=ORDER_FOLLOWS - 0.2).relation == "related"
    assert _meaning_only(0.68, same, src, nearest=NEAREST_FOLLOWS - 0.05, order=1.0).relation == "related"


def test_alignment_measures_how_near_and_in_what_order_the_query_follows():
    rng = np.random.default_rng(7)
    src = rng.normal(size=(6, 512)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    noisy = src + 0.01 * rng.normal(size=src.shape).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    chars = [40] * 6
    ahead = meaning.align(noisy, src, chars)
    backwards = meaning.align(noisy[::-1].copy(), src, chars)
    assert ahead.nearest > 0.95 and abs(backwards.nearest - ahead.nearest) < 1e-6
    assert ahead.order == pytest.approx(1.0) and backwards.order == pytest.approx(-1.0)
    # Unrelated sentences are near nothing, and say nothing about order.
    other = rng.normal(size=(6, 512)).astype(np.float32)
    other /= np.linalg.norm(other, axis=1, keepdims=True)
    unrelated = meaning.align(other, src, chars)
    assert unrelated.nearest < 0.3 and unrelated.order == 0.0
    assert meaning.kendall_tau(np.arange(4), np.array([0, 0, 1, 3])) > 0.8
